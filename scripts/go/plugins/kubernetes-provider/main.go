// Command pulumi-resource-kubernetes serves the Kubernetes provider of
// github.com/pulumi/pulumi-kubernetes/provider/v4, as its own cmd/pulumi-resource-kubernetes does. That
// command embeds a schema its `go generate` writes into the (read-only) module cache; scripts/tools copies this
// package into a build directory and writes the two embedded files there (the schema with its version set)
// before building it.
package main

import (
	_ "embed"

	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	"github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
)

//go:embed schema-embed.json
var schema []byte

//go:embed terraform-mapping-embed.json
var terraformMapping []byte

func main() {
	provider.Serve("kubernetes", version.Version, schema, terraformMapping)
}
