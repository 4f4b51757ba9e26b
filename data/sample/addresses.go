package sample

import (
	"citygeo/data"
)

func (g *gen) addresses(ds *data.Dataset) {}
func (g *gen) buildings(ds *data.Dataset) {}
func (g *gen) pois(ds *data.Dataset)      {}
