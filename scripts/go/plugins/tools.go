//go:build tools

// The Pulumi plugins built beside the CLI, in a module of their own: pulumi-yaml v1.25.0 and the Kubernetes
// provider do not compile against the CLI's pkg/v3 (v3.274.1: plugin.NewContextWithRoot and schema.ResourceSpec
// changed), and agree on pkg/v3 v3.215.0 between them.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/cmd/pulumi-resource-kubernetes"
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
