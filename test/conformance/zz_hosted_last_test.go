package conformance

import "testing"

// This file's name sorts last: Go runs the tests in the order of their files, and deleting the hosted
// runtime must come after every test that uses it.

// Codefresh deletes the account's hosted runtime (deleteManagedRuntime, answering 1); a hybrid runtime is
// uninstalled with Helm and deleted with deleteRuntime instead.
func TestRuntimeDeleteManaged(t *testing.T) {
	cf := pro(t)

	t.Run("a hybrid runtime is refused and stays", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-del-managed", hybridOptions{})
		_, err := cf.GraphQL().Runtime().DeleteManaged(ctx(t), name)
		mustErrorContaining(t, err, "not a hosted runtime")
		_, err = cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get after the refusal")
	})

	t.Run("an unknown runtime is refused", func(t *testing.T) {
		_, err := cf.GraphQL().Runtime().DeleteManaged(ctx(t), "no-such-runtime")
		mustErrorContaining(t, err, "no-such-runtime")
	})

	t.Run("the hosted runtime", func(t *testing.T) {
		name := hosted(t)
		deleted, err := cf.GraphQL().Runtime().DeleteManaged(ctx(t), name)
		mustNoError(t, err, "Runtime().DeleteManaged")
		equal(t, "Runtime().DeleteManaged", deleted, 1)
		runtimeGone(t, cf, name)
	})
}
