// The pod sandbox's pause process for the e2e suite's real node, built here because no image can be pulled.
module guide-as-code.invalid/e2e/pause

go 1.26.0
