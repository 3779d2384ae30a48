package conformance

// Last of all files (go test runs files in name order): it deletes the account's hosted runtime.

import "testing"

// deleteManagedRuntime is for the hosted runtime only (last: the account then has none).
func TestRuntimeDeleteManaged(t *testing.T) {
	runtimes := cf().GraphQL().Runtime()
	_, err := runtimes.DeleteManaged(ctx(), writer)
	errorContains(t, err, "not a hosted runtime")
	deleted, err := runtimes.DeleteManaged(ctx(), env.hostedRuntime)
	noError(t, err)
	equal(t, "answer", deleted, 1)
	_, err = runtimes.Get(ctx(), env.hostedRuntime)
	errorContains(t, err, "does not exist")
}
