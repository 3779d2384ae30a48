package conformance

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/codefresh-io/go-sdk/pkg/codefresh"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// Codefresh answers a wrong or missing API key with 401, which the SDK returns as its own *client.ApiError.
func TestAuthentication(t *testing.T) {
	for name, key := range map[string]string{"wrong key": "not-a-key", "empty key": ""} {
		t.Run(name, func(t *testing.T) {
			bad := codefresh.New(&codefresh.ClientOptions{Host: env.apiURL, Token: key, Client: &http.Client{Timeout: 10 * time.Second}})
			_, err := bad.GraphQL().User().GetCurrent(ctx())
			apiError := asAPIError(err)
			if apiError == nil || !strings.Contains(apiError.Error(), "401") {
				t.Fatalf("want the SDK's ApiError with 401, got %v", err)
			}
			_, err = bad.Rest().User().GetCurrent(ctx())
			if apiError := asAPIError(err); apiError == nil || !strings.Contains(apiError.Error(), "401") {
				t.Fatalf("REST: want the SDK's ApiError with 401, got %v", err)
			}
		})
	}
}

// `me` is the key's user: an admin of the account, with the account's GitOps settings and features.
func TestUserGetCurrent(t *testing.T) {
	user, err := cf().GraphQL().User().GetCurrent(ctx())
	noError(t, err)
	equal(t, "isAdmin", *user.IsAdmin, true)
	if user.ID == "" || user.Email == "" || user.Name == "" {
		t.Fatalf("user fields missing: %+v", user)
	}
	account := user.ActiveAccount
	equal(t, "accounts", len(user.Accounts), 1)
	equal(t, "accounts[0].id", user.Accounts[0].ID, account.ID)
	equal(t, "sharedConfigRepo", *account.SharedConfigRepo, iscRepo())
	equal(t, "gitProvider", *account.GitProvider, platmodel.GitProvidersGithub)
	equal(t, "gitApiUrl", *account.GitAPIURL, env.gitAPIURL)
	if !slices.Contains(account.Admins, user.ID) {
		t.Fatalf("admins %v lack the user %s", account.Admins, user.ID)
	}
	equal(t, "gitopsPlanEnforcement (PRO)", *account.Features.GitopsPlanEnforcement, true)
}

// GET /api/user: the same user, with the active account among its accounts.
func TestRestUserGetCurrent(t *testing.T) {
	user, err := cf().Rest().User().GetCurrent(ctx())
	noError(t, err)
	me, err := cf().GraphQL().User().GetCurrent(ctx())
	noError(t, err)
	equal(t, "id", user.ID, me.ID)
	equal(t, "email", user.Email, me.Email)
	active := user.GetActiveAccount()
	if active == nil {
		t.Fatalf("no active account among %+v", user.Accounts)
	}
	equal(t, "active account id", active.ID, me.ActiveAccount.ID)
}

// updateCsdpSettings is an upsert of the account's git settings; a repo that is not a git URL is refused, and
// once a runtime has written to the Shared Configuration Repository it cannot be replaced.
func TestAccountUpdateCsdpSettings(t *testing.T) {
	account := cf().GraphQL().Account()
	noError(t, account.UpdateCsdpSettings(ctx(), platmodel.GitProvidersGithub, env.gitAPIURL, iscRepo()))
	errorContains(t, account.UpdateCsdpSettings(ctx(), platmodel.GitProvidersGithub, env.gitAPIURL, "not-a-repo"), "must look like https://")
	// The writer runtime has written (prepareWriter registered it; a git source commit initialises it).
	proxy := appProxy(t, writer)
	noError(t, proxy.GitSource().Create(ctx(), gitSourceArgs("settings-probe", "apps/probe")))
	errorContains(t, account.UpdateCsdpSettings(ctx(), platmodel.GitProvidersGithub, env.gitAPIURL, env.gitURL+"/"+env.gitOrg+"/other.git"), "cannot be changed")
	noError(t, proxy.GitSource().Delete(ctx(), "settings-probe"))
	user, err := cf().GraphQL().User().GetCurrent(ctx())
	noError(t, err)
	equal(t, "sharedConfigRepo kept", *user.ActiveAccount.SharedConfigRepo, iscRepo())
}

// createRuntime registers a hybrid runtime as the Helm chart's app-proxy does; hosted runtimes are Codefresh's.
func TestRuntimeCreate(t *testing.T) {
	runtimes := cf().GraphQL().Runtime()
	me, err := cf().GraphQL().User().GetCurrent(ctx())
	noError(t, err)
	ingress := fmt.Sprintf("%s/ingress/%s/conf-create", env.apiURL, me.ActiveAccount.ID)
	args := hybridArgs("conf-create")
	args.IngressHost = ptr(ingress)
	args.IngressClass = ptr("nginx")
	created, err := runtimes.Create(ctx(), args)
	noError(t, err)
	equal(t, "name", created.Name, "conf-create")
	if len(created.NewAccessToken) < 32 {
		t.Fatalf("newAccessToken %q is not a token", created.NewAccessToken)
	}
	rt, err := runtimes.Get(ctx(), "conf-create")
	noError(t, err)
	equal(t, "installationType", rt.InstallationType, platmodel.InstallationTypeHelm)
	equal(t, "managed", rt.Managed, false)
	equal(t, "installationStatus", rt.InstallationStatus, platmodel.InstallationStatusCompleted)
	equal(t, "ingressHost", *rt.IngressHost, ingress)
	equal(t, "accessMode", rt.AccessMode, platmodel.AccessModeIngress)
	equal(t, "ingressClass", *rt.IngressClass, "nginx")
	equal(t, "runtimeVersion", *rt.RuntimeVersion, runtimeVersion)
	equal(t, "cluster", *rt.Cluster, "https://kubernetes.default.svc")

	_, err = runtimes.Create(ctx(), hybridArgs("conf-create"))
	errorContains(t, err, "already exists")
	_, err = runtimes.Create(ctx(), hybridArgs("Bad_Name"))
	errorContains(t, err, "invalid runtime name")
	hosted := hybridArgs("conf-hosted")
	hosted.Managed = ptr(true)
	hosted.InstallationType = ptr(platmodel.InstallationTypeHelmHosted)
	_, err = runtimes.Create(ctx(), hosted)
	errorContains(t, err, "hosted runtimes are installed by Codefresh")

	tunnel, err := runtimes.Create(ctx(), hybridArgs("conf-tunnel"))
	noError(t, err)
	rt, err = runtimes.Get(ctx(), tunnel.Name)
	noError(t, err)
	equal(t, "tunnel accessMode", rt.AccessMode, platmodel.AccessModeTunnel)
	equal(t, "tunnel ingressHost", *rt.IngressHost, fmt.Sprintf("%s/ingress/%s/conf-tunnel", env.apiURL, me.ActiveAccount.ID))
}

// `runtime(name)` answers null for an unknown runtime, which the SDK turns into its own error.
func TestRuntimeGet(t *testing.T) {
	_, err := cf().GraphQL().Runtime().Get(ctx(), "no-such-runtime")
	errorContains(t, err, "runtime 'no-such-runtime' does not exist")
	hosted, err := cf().GraphQL().Runtime().Get(ctx(), env.hostedRuntime)
	noError(t, err)
	equal(t, "managed", hosted.Managed, true)
	equal(t, "installationType", hosted.InstallationType, platmodel.InstallationTypeHelmHosted)
	equal(t, "repo", *hosted.Repo, iscRepo())
	equal(t, "healthStatus", *hosted.HealthStatus, platmodel.HealthStatusHealthy)
}

// `runtimes` lists every runtime of the account, hosted and hybrid.
func TestRuntimeList(t *testing.T) {
	list, err := cf().GraphQL().Runtime().List(ctx())
	noError(t, err)
	kinds := map[string]platmodel.InstallationType{}
	for _, rt := range list {
		kinds[rt.Metadata.Name] = rt.InstallationType
	}
	equal(t, "hosted", kinds[env.hostedRuntime], platmodel.InstallationTypeHelmHosted)
	equal(t, "writer", kinds[writer], platmodel.InstallationTypeHelm)
}

// deleteRuntime removes a runtime (the chart's pre-delete hook sends it); it answers 1.
func TestRuntimeDelete(t *testing.T) {
	runtimes := cf().GraphQL().Runtime()
	_, err := runtimes.Create(ctx(), hybridArgs("conf-delete"))
	noError(t, err)
	deleted, err := runtimes.Delete(ctx(), "conf-delete")
	noError(t, err)
	equal(t, "answer", deleted, 1)
	_, err = runtimes.Get(ctx(), "conf-delete")
	errorContains(t, err, "does not exist")
	_, err = runtimes.Delete(ctx(), "conf-delete")
	errorContains(t, err, "does not exist")
}

// migrateRuntime moves a CLI-installed runtime to the Helm chart: a Helm-installed one is refused.
func TestRuntimeMigrateRuntime(t *testing.T) {
	errorContains(t, cf().GraphQL().Runtime().MigrateRuntime(ctx(), writer), "already installed with Helm")
	errorContains(t, cf().GraphQL().Runtime().MigrateRuntime(ctx(), "no-such-runtime"), "does not exist")
}

// reportRuntimeErrors replaces what a runtime reports; an ERROR makes it DEGRADED until it reports none.
func TestRuntimeReportErrors(t *testing.T) {
	runtimes := cf().GraphQL().Runtime()
	_, err := runtimes.Create(ctx(), hybridArgs("conf-errors"))
	noError(t, err)
	count, err := runtimes.ReportErrors(ctx(), &platmodel.ReportRuntimeErrorsArgs{Runtime: "conf-errors", Errors: []*platmodel.HealthErrorInput{
		{Level: platmodel.ErrorLevelsError, Message: "argocd-server is not reachable"},
		{Level: platmodel.ErrorLevelsWarning, Message: "disk 85% full"},
	}})
	noError(t, err)
	equal(t, "count", count, 2)
	rt, err := runtimes.Get(ctx(), "conf-errors")
	noError(t, err)
	equal(t, "healthStatus", *rt.HealthStatus, platmodel.HealthStatusDegraded)
	equal(t, "healthMessage", *rt.HealthMessage, "argocd-server is not reachable; disk 85% full")
	count, err = runtimes.ReportErrors(ctx(), &platmodel.ReportRuntimeErrorsArgs{Runtime: "conf-errors", Errors: []*platmodel.HealthErrorInput{}})
	noError(t, err)
	equal(t, "cleared", count, 0)
	rt, err = runtimes.Get(ctx(), "conf-errors")
	noError(t, err)
	equal(t, "healthStatus after", *rt.HealthStatus, platmodel.HealthStatusHealthy)
}

// suggestIscRepo sets the account's Shared Configuration Repository only when none is set; it answers the one in use.
func TestRuntimeSetSharedConfigRepo(t *testing.T) {
	repo, err := cf().GraphQL().Runtime().SetSharedConfigRepo(ctx(), env.gitURL+"/"+env.gitOrg+"/suggested.git")
	noError(t, err)
	equal(t, "repo", repo, iscRepo())
}

// `clusters` lists a runtime's own cluster first, then the registered ones with their connection state.
func TestClusterList(t *testing.T) {
	registerCluster(t, writer, "conf-reachable", env.kubeServer, env.kubeToken)
	registerCluster(t, writer, "conf-unreachable", "https://127.0.0.1:1", "no-token")
	clusters, err := cf().GraphQL().Cluster().List(ctx(), writer)
	noError(t, err)
	if len(clusters) < 3 {
		t.Fatalf("want in-cluster and two clusters, got %d", len(clusters))
	}
	equal(t, "first", clusters[0].Metadata.Name, "in-cluster")
	equal(t, "first server", clusters[0].Server, "https://kubernetes.default.svc")
	states := map[string]platmodel.ClusterConnectionStatus{}
	for _, c := range clusters {
		equal(t, "runtime of "+c.Metadata.Name, c.Metadata.Runtime, writer)
		states[c.Metadata.Name] = c.Info.ConnectionState.Status
		if c.Metadata.Name == "conf-reachable" && (c.Info.ServerVersion == nil || !strings.HasPrefix(*c.Info.ServerVersion, "v1.")) {
			t.Fatalf("serverVersion of a reachable cluster: %v", c.Info.ServerVersion)
		}
	}
	equal(t, "reachable", states["conf-reachable"], platmodel.ClusterConnectionStatusSuccessful)
	equal(t, "unreachable", states["conf-unreachable"], platmodel.ClusterConnectionStatusFailed)
}

// `components` are the Argo CD Applications a runtime's installer registered, at the runtime's version.
func TestComponentList(t *testing.T) {
	components, err := cf().GraphQL().Component().List(ctx(), writer)
	noError(t, err)
	names := []string{}
	for _, c := range components {
		names = append(names, c.Metadata.Name)
		equal(t, "version of "+c.Metadata.Name, c.Version, runtimeVersion)
		equal(t, "health of "+c.Metadata.Name, *c.Self.Status.HealthStatus, platmodel.HealthStatusHealthy)
	}
	for _, want := range []string{"app-proxy", "argocd", "argo-gateway"} {
		if !slices.Contains(names, want) {
			t.Fatalf("components %v lack %s", names, want)
		}
	}
	_, err = cf().GraphQL().Component().List(ctx(), "no-such-runtime")
	errorContains(t, err, "does not exist")
}

// limitsStatus: the account's GitOps usage (clusters, applications) against its plan's limits.
func TestPaymentsGetLimitsStatus(t *testing.T) {
	status, err := cf().GraphQL().Payments().GetLimitsStatus(ctx())
	noError(t, err)
	clusters := 0
	runtimes, err := cf().GraphQL().Runtime().List(ctx())
	noError(t, err)
	for _, rt := range runtimes {
		list, err := cf().GraphQL().Cluster().List(ctx(), rt.Metadata.Name)
		noError(t, err)
		clusters += len(list) - 1 // not the runtime's own in-cluster
	}
	equal(t, "usage.clusters", *status.Usage.Clusters, clusters)
	equal(t, "limits.clusters (PRO)", *status.Limits.Clusters, 10)
	equal(t, "limits.applications (PRO)", *status.Limits.Applications, 100)
	equal(t, "status", status.Status, *status.Usage.Clusters <= 10 && *status.Usage.Applications <= 100)
}

// latestCliRelease: the newest cli-v2 release the platform offers.
func TestCliReleaseGetLatest(t *testing.T) {
	latest, err := cf().GraphQL().CliRelease().GetLatest(ctx())
	noError(t, err)
	equal(t, "latest", latest, "v0.2.16")
}
