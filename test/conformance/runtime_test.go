package conformance

import (
	"fmt"
	"slices"
	"testing"

	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// Codefresh registers a hybrid runtime as the gitops-runtime chart's app-proxy asks (createRuntime with the
// user's key), returns its access token once, and refuses a taken or invalid name and any hosted runtime.
func TestRuntimeCreate(t *testing.T) {
	cf := pro(t)
	e := suite(t)
	accountID := accountID(t, cf)

	t.Run("a hybrid runtime without an ingress is a TUNNEL runtime served by Codefresh", func(t *testing.T) {
		name := uniqueName("rt-create")
		args := createArgs(name, hybridOptions{cluster: "https://10.0.0.1:6443"})
		created, err := cf.GraphQL().Runtime().Create(ctx(t), args)
		mustNoError(t, err, "Runtime().Create")
		deleteAtEnd(t, cf, name)
		equal(t, "name", created.Name, name)
		if created.NewAccessToken == "" {
			t.Error("newAccessToken is empty")
		}
		waitInstalled(t, cf, name)

		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		equal(t, "metadata.name", metadataName(rt.Metadata), name)
		equal(t, "installationType", rt.InstallationType, platmodel.InstallationTypeHelm)
		equal(t, "managed", rt.Managed, false)
		equal(t, "installationStatus", rt.InstallationStatus, platmodel.InstallationStatusCompleted)
		equal(t, "cluster", deref(rt.Cluster), "https://10.0.0.1:6443")
		equal(t, "runtimeVersion", deref(rt.RuntimeVersion), runtimeVersion)
		equal(t, "accessMode", rt.AccessMode, platmodel.AccessModeTunnel)
		equal(t, "ingressHost", deref(rt.IngressHost), fmt.Sprintf("%s/ingress/%s/%s", e.apiURL, accountID, name))
	})

	t.Run("a hybrid runtime with its own ingress host is an INGRESS runtime reached there", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-ingress", hybridOptions{ingressHost: true, ingressClass: "nginx"})
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		equal(t, "accessMode", rt.AccessMode, platmodel.AccessModeIngress)
		equal(t, "ingressClass", deref(rt.IngressClass), "nginx")
		equal(t, "ingressHost", deref(rt.IngressHost), fmt.Sprintf("%s/ingress/%s/%s", e.apiURL, accountID, name))
	})

	t.Run("an access mode given is kept, beside the ingress host given", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-mode", hybridOptions{ingressHost: true, accessMode: ptr(platmodel.AccessModeTunnel)})
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		equal(t, "accessMode", rt.AccessMode, platmodel.AccessModeTunnel)
		equal(t, "ingressHost", deref(rt.IngressHost), fmt.Sprintf("%s/ingress/%s/%s", e.apiURL, accountID, name))
	})

	t.Run("a taken name is refused", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-dup", hybridOptions{})
		_, err := cf.GraphQL().Runtime().Create(ctx(t), createArgs(name, hybridOptions{}))
		mustErrorContaining(t, err, "already exists")
	})

	t.Run("an invalid name is refused", func(t *testing.T) {
		created, err := cf.GraphQL().Runtime().Create(ctx(t), createArgs("Bad_Name", hybridOptions{}))
		if err == nil {
			t.Fatalf("Create(Bad_Name) = %+v, want an error", created)
		}
		if _, getErr := cf.GraphQL().Runtime().Get(ctx(t), "Bad_Name"); getErr == nil {
			t.Error("Runtime().Get(Bad_Name) found a runtime after the refusal")
		}
	})

	t.Run("a hosted runtime cannot be created with a user key", func(t *testing.T) {
		managed := createArgs(uniqueName("rt-managed"), hybridOptions{})
		managed.Managed = ptr(true)
		_, err := cf.GraphQL().Runtime().Create(ctx(t), managed)
		mustErrorContaining(t, err, "hosted runtimes are installed by Codefresh")

		helmHosted := createArgs(uniqueName("rt-helm-hosted"), hybridOptions{})
		helmHosted.InstallationType = ptr(platmodel.InstallationTypeHelmHosted)
		_, err = cf.GraphQL().Runtime().Create(ctx(t), helmHosted)
		mustErrorContaining(t, err, "hosted runtimes are installed by Codefresh")
	})
}

// Codefresh answers a runtime's fields by name, and null for an unknown one (which the SDK turns into
// its own "does not exist" error).
func TestRuntimeGet(t *testing.T) {
	cf := pro(t)

	t.Run("a hybrid runtime", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-get", hybridOptions{})
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		equal(t, "metadata.name", metadataName(rt.Metadata), name)
		equal(t, "managed", rt.Managed, false)
		equal(t, "installationType", rt.InstallationType, platmodel.InstallationTypeHelm)
		equal(t, "runtimeVersion", deref(rt.RuntimeVersion), runtimeVersion)
		equal(t, "cluster", deref(rt.Cluster), inClusterServer)
		equal(t, "healthStatus", deref(rt.HealthStatus), platmodel.HealthStatusHealthy)
		equal(t, "syncStatus", rt.SyncStatus, platmodel.SyncStatusSynced)
		equal(t, "managedClustersNum", rt.ManagedClustersNum, 0)
	})

	t.Run("the hosted runtime", func(t *testing.T) {
		name := hosted(t)
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		equal(t, "metadata.name", metadataName(rt.Metadata), name)
		equal(t, "managed", rt.Managed, true)
		equal(t, "installationType", rt.InstallationType, platmodel.InstallationTypeHelmHosted)
		equal(t, "installationStatus", rt.InstallationStatus, platmodel.InstallationStatusCompleted)
		equal(t, "healthStatus", deref(rt.HealthStatus), platmodel.HealthStatusHealthy)
		equal(t, "repo (the Shared Configuration Repository its git connected)", deref(rt.Repo), ensureIsc(t, cf))
		if deref(rt.IngressHost) == "" {
			t.Error("a hosted runtime has no ingressHost")
		}
	})

	t.Run("an unknown runtime", func(t *testing.T) {
		_, err := cf.GraphQL().Runtime().Get(ctx(t), "no-such-runtime")
		if err == nil || err.Error() != "runtime 'no-such-runtime' does not exist" {
			t.Fatalf("Runtime().Get(unknown) error = %v, want the SDK's \"runtime 'no-such-runtime' does not exist\" (runtime: null)", err)
		}
	})
}

// Codefresh lists the account's runtimes, hosted and hybrid alike.
func TestRuntimeList(t *testing.T) {
	cf := pro(t)
	name := newHybridRuntime(t, cf, "rt-list", hybridOptions{})
	runtimes, err := cf.GraphQL().Runtime().List(ctx(t))
	mustNoError(t, err, "Runtime().List")
	byName := map[string]platmodel.Runtime{}
	for _, rt := range runtimes {
		byName[metadataName(rt.Metadata)] = rt
	}

	hybrid, ok := byName[name]
	if !ok {
		t.Fatalf("Runtime().List does not list %s: %v", name, keys(byName))
	}
	equal(t, "hybrid managed", hybrid.Managed, false)
	equal(t, "hybrid installationType", hybrid.InstallationType, platmodel.InstallationTypeHelm)
	equal(t, "hybrid runtimeVersion", deref(hybrid.RuntimeVersion), runtimeVersion)
	equal(t, "hybrid installationStatus", hybrid.InstallationStatus, platmodel.InstallationStatusCompleted)
	equal(t, "hybrid cluster", deref(hybrid.Cluster), inClusterServer)

	t.Run("the hosted runtime is listed", func(t *testing.T) {
		hostedName := hosted(t)
		rt, ok := byName[hostedName]
		if !ok {
			t.Fatalf("Runtime().List does not list the hosted runtime %s: %v", hostedName, keys(byName))
		}
		equal(t, "hosted managed", rt.Managed, true)
		equal(t, "hosted installationType", rt.InstallationType, platmodel.InstallationTypeHelmHosted)
	})
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Codefresh deletes a runtime (answering 1); it is then gone from Get and List.
func TestRuntimeDelete(t *testing.T) {
	cf := pro(t)
	name := newHybridRuntime(t, cf, "rt-delete", hybridOptions{})
	deleted, err := cf.GraphQL().Runtime().Delete(ctx(t), name)
	mustNoError(t, err, "Runtime().Delete")
	equal(t, "Runtime().Delete", deleted, 1)
	runtimeGone(t, cf, name)
	runtimes, err := cf.GraphQL().Runtime().List(ctx(t))
	mustNoError(t, err, "Runtime().List")
	if slices.ContainsFunc(runtimes, func(rt platmodel.Runtime) bool { return metadataName(rt.Metadata) == name }) {
		t.Errorf("Runtime().List still lists %s", name)
	}

	t.Run("an unknown runtime is refused", func(t *testing.T) {
		_, err := cf.GraphQL().Runtime().Delete(ctx(t), "no-such-runtime")
		mustErrorContaining(t, err, "no-such-runtime")
	})
}

// Codefresh migrates only CLI-installed runtimes to Helm; every runtime here is Helm-installed.
func TestRuntimeMigrateRuntime(t *testing.T) {
	cf := pro(t)

	t.Run("a Helm-installed hybrid runtime", func(t *testing.T) {
		name := newHybridRuntime(t, cf, "rt-migrate", hybridOptions{})
		mustErrorContaining(t, cf.GraphQL().Runtime().MigrateRuntime(ctx(t), name), "already installed with Helm")
	})

	t.Run("the hosted runtime", func(t *testing.T) {
		mustErrorContaining(t, cf.GraphQL().Runtime().MigrateRuntime(ctx(t), hosted(t)), "already installed with Helm")
	})

	t.Run("an unknown runtime", func(t *testing.T) {
		mustErrorContaining(t, cf.GraphQL().Runtime().MigrateRuntime(ctx(t), "no-such-runtime"), "does not exist")
	})
}

// Codefresh stores the errors a runtime reports (answering how many); an ERROR makes the runtime
// DEGRADED with the messages as its health message, and an empty report clears them.
func TestRuntimeReportErrors(t *testing.T) {
	cf := pro(t)
	name := newHybridRuntime(t, cf, "rt-errors", hybridOptions{})
	report := func(t *testing.T, errs ...*platmodel.HealthErrorInput) int {
		t.Helper()
		if errs == nil {
			errs = []*platmodel.HealthErrorInput{}
		}
		n, err := cf.GraphQL().Runtime().ReportErrors(ctx(t), &platmodel.ReportRuntimeErrorsArgs{Runtime: name, Errors: errs})
		mustNoError(t, err, "Runtime().ReportErrors")
		return n
	}
	health := func(t *testing.T) (platmodel.HealthStatus, string) {
		t.Helper()
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		mustNoError(t, err, "Runtime().Get")
		return deref(rt.HealthStatus), deref(rt.HealthMessage)
	}

	t.Run("an ERROR makes it DEGRADED with every message", func(t *testing.T) {
		n := report(t,
			&platmodel.HealthErrorInput{Level: platmodel.ErrorLevelsError, Message: "argo-cd repo-server is down"},
			&platmodel.HealthErrorInput{Level: platmodel.ErrorLevelsWarning, Message: "sync is slow"},
		)
		equal(t, "errors stored", n, 2)
		status, message := health(t)
		equal(t, "healthStatus", status, platmodel.HealthStatusDegraded)
		equal(t, "healthMessage", message, "argo-cd repo-server is down; sync is slow")
	})

	t.Run("an empty report clears them", func(t *testing.T) {
		equal(t, "errors stored", report(t), 0)
		status, message := health(t)
		equal(t, "healthStatus", status, platmodel.HealthStatusHealthy)
		equal(t, "healthMessage", message, "")
	})

	t.Run("an unknown runtime is refused", func(t *testing.T) {
		_, err := cf.GraphQL().Runtime().ReportErrors(ctx(t), &platmodel.ReportRuntimeErrorsArgs{
			Runtime: "no-such-runtime",
			Errors:  []*platmodel.HealthErrorInput{{Level: platmodel.ErrorLevelsError, Message: "x"}},
		})
		mustErrorContaining(t, err, "does not exist")
	})
}
