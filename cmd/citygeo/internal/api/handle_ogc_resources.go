package api

import (
	"github.com/gin-gonic/gin"

	"citygeo/ogc"
)

// The OGC resources: each binds its parameters, asks the catalog and names what to render.

func (s *Server) ogcLanding(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc := r.cat.LandingDoc(r.base, c.Request.URL.Query())
	return ogcAnswer{doc: doc, jsonType: ogc.TypeJSON, page: &ogcPage{Kind: "landing", Title: doc.Title, Landing: &doc, Base: r.base}}, nil
}

func (s *Server) ogcConformance(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc := r.cat.ConformanceDoc()
	return ogcAnswer{doc: doc, jsonType: ogc.TypeJSON, page: &ogcPage{Kind: "conformance", Title: "Conformance", Conformance: doc.ConformsTo, Base: r.base}}, nil
}

func (s *Server) ogcAPI(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc := r.cat.OpenAPI(r.base)
	return ogcAnswer{doc: doc, jsonType: ogc.TypeOpenAPI, page: &ogcPage{Kind: "api", Title: "API", Routes: s.ogcRoutes(), Collections: r.cat.Collections(), Base: r.base}}, nil
}

func (s *Server) ogcCollections(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc := r.cat.CollectionsDoc(r.base, c.Request.URL.Query())
	return ogcAnswer{doc: doc, jsonType: ogc.TypeJSON, page: &ogcPage{Kind: "collections", Title: "Collections", CollectionsDoc: &doc, Base: r.base}}, nil
}

func (s *Server) ogcCollection(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc, err := r.cat.CollectionDoc(r.base, c.Param("collectionId"), c.Request.URL.Query())
	if err != nil {
		return ogcAnswer{}, err
	}
	col, _ := r.cat.Collection(doc.ID)
	return ogcAnswer{doc: doc, jsonType: ogc.TypeJSON, page: &ogcPage{Kind: "collection", Title: doc.Title, Collection: &doc, Fields: col.Fields, Base: r.base}}, nil
}

func (s *Server) ogcItems(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	col, err := r.cat.Collection(c.Param("collectionId"))
	if err != nil {
		return ogcAnswer{}, err
	}
	query := c.Request.URL.Query()
	q, err := ogc.ParseQuery(col, query)
	if err != nil {
		return ogcAnswer{}, err
	}
	items, err := r.cat.Items(col.ID, q)
	if err != nil {
		return ogcAnswer{}, err
	}
	doc := r.cat.FeatureCollectionDoc(r.base, items, query)
	return ogcAnswer{doc: doc, jsonType: ogc.TypeGeoJSON, crs: &q.CRS,
		page: &ogcPage{Kind: "items", Title: col.Title, Items: items, FC: doc, Fields: col.Fields, Base: r.base}}, nil
}

func (s *Server) ogcItem(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	col, err := r.cat.Collection(c.Param("collectionId"))
	if err != nil {
		return ogcAnswer{}, err
	}
	query := c.Request.URL.Query()
	crs, err := ogc.ParseItemQuery(col, query)
	if err != nil {
		return ogcAnswer{}, err
	}
	f, err := r.cat.Item(col.ID, c.Param("featureId"), crs)
	if err != nil {
		return ogcAnswer{}, err
	}
	doc := ogc.FeatureDoc(r.base, col.ID, f, query)
	return ogcAnswer{doc: doc, jsonType: ogc.TypeGeoJSON, crs: &crs,
		page: &ogcPage{Kind: "item", Title: col.Title + " " + c.Param("featureId"), Feature: doc, CRS: crs, CollectionID: col.ID, Fields: col.Fields, Base: r.base}}, nil
}

func (s *Server) ogcQueryables(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc, err := r.cat.QueryablesDoc(r.base, c.Param("collectionId"))
	return ogcAnswer{doc: doc, jsonType: ogc.TypeSchema}, err
}

func (s *Server) ogcSchema(c *gin.Context, r ogcRequest) (ogcAnswer, error) {
	doc, err := r.cat.SchemaDoc(r.base, c.Param("collectionId"))
	return ogcAnswer{doc: doc, jsonType: ogc.TypeSchema}, err
}
