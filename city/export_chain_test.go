package city

// ChainWritten reports whether l's area chain was copied from the snapshot's written chains.
func ChainWritten(l *Located) bool { return l.chain != nil }
