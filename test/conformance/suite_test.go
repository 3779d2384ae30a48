// Package conformance drives a Codefresh API (the local emulator, or Codefresh itself) through Codefresh's
// own Go client, github.com/codefresh-io/go-sdk, and checks that each function answers what Codefresh
// answers. Plain HTTP is used only where the SDK has no function: the REST cluster registration that
// csdp-official's add-cluster.sh sends (through the SDK's NativeRestAPI) and reading a file of the git
// server to prove a commit.
//
// Environment (the jest runner test/integration/conformance.test.ts sets it):
//
//	CODEFRESH_API_URL, CODEFRESH_API_KEY   the platform and a key of an account on plan PRO
//	CONFORMANCE_ENTERPRISE_API_KEY         optional: a key of a second account, on plan ENTERPRISE
//	CONFORMANCE_GIT_URL                    the git server's https URL (repos are <url>/<org>/<repo>.git)
//	CONFORMANCE_GIT_API_URL                its API (Gitea: <url>/api/v1), as the git integrations use it
//	CONFORMANCE_GIT_TOKEN                  a token that may write to CONFORMANCE_GIT_ORG's repos
//	CONFORMANCE_GIT_CA_FILE                the git server's certificate (PEM), for reading repo files
//	CONFORMANCE_GIT_ORG                    an org holding the repo `apps`; the suite's repos are made in it
//	CONFORMANCE_KUBE_SERVER, CONFORMANCE_KUBE_TOKEN, CONFORMANCE_KUBE_CA_FILE
//	                                       a kube-apiserver and a token valid on it: a cluster that connects
//	CONFORMANCE_HOSTED_RUNTIME             optional: the account's hosted runtime, git connected
//
// Tests run sequentially in one process (no t.Parallel) and make their own hybrid runtimes, with unique
// names, deleted when the test ends.
package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/codefresh-io/go-sdk/pkg/appproxy"
	"github.com/codefresh-io/go-sdk/pkg/client"
	"github.com/codefresh-io/go-sdk/pkg/codefresh"
	apmodel "github.com/codefresh-io/go-sdk/pkg/model/app-proxy"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// inClusterServer is where every runtime's own cluster is reached from inside it.
const inClusterServer = "https://kubernetes.default.svc"

// runtimeVersion is what the tests' hybrid runtimes register (a gitops-runtime chart's app version).
const runtimeVersion = "0.1.72"

// settle bounds the wait for what Codefresh does asynchronously (installation, a git source's Application).
const settle = 30 * time.Second

type environment struct {
	apiURL, apiKey, enterpriseKey       string
	gitURL, gitAPIURL, gitToken, gitOrg string
	gitCA                               *x509.CertPool
	kubeServer, kubeToken, kubeCA       string
	hostedRuntime                       string
	loadErr                             error
}

var (
	envOnce sync.Once
	env     environment
)

// suite reads the environment once; a missing variable fails the test that needs it, with its name.
func suite(t *testing.T) *environment {
	t.Helper()
	envOnce.Do(func() {
		var missing []string
		need := func(name string) string {
			value := os.Getenv(name)
			if value == "" {
				missing = append(missing, name)
			}
			return value
		}
		env = environment{
			apiURL:        strings.TrimRight(need("CODEFRESH_API_URL"), "/"),
			apiKey:        need("CODEFRESH_API_KEY"),
			enterpriseKey: os.Getenv("CONFORMANCE_ENTERPRISE_API_KEY"),
			gitURL:        strings.TrimRight(need("CONFORMANCE_GIT_URL"), "/"),
			gitAPIURL:     strings.TrimRight(need("CONFORMANCE_GIT_API_URL"), "/"),
			gitToken:      need("CONFORMANCE_GIT_TOKEN"),
			gitOrg:        need("CONFORMANCE_GIT_ORG"),
			kubeServer:    strings.TrimRight(need("CONFORMANCE_KUBE_SERVER"), "/"),
			kubeToken:     need("CONFORMANCE_KUBE_TOKEN"),
			hostedRuntime: os.Getenv("CONFORMANCE_HOSTED_RUNTIME"),
		}
		gitCAFile, kubeCAFile := need("CONFORMANCE_GIT_CA_FILE"), need("CONFORMANCE_KUBE_CA_FILE")
		if len(missing) > 0 {
			env.loadErr = fmt.Errorf("conformance environment incomplete, set: %s", strings.Join(missing, ", "))
			return
		}
		gitPEM, err := os.ReadFile(gitCAFile)
		if err != nil {
			env.loadErr = err
			return
		}
		env.gitCA = x509.NewCertPool()
		if !env.gitCA.AppendCertsFromPEM(gitPEM) {
			env.loadErr = fmt.Errorf("CONFORMANCE_GIT_CA_FILE %s holds no PEM certificate", gitCAFile)
			return
		}
		kubePEM, err := os.ReadFile(kubeCAFile)
		if err != nil {
			env.loadErr = err
			return
		}
		env.kubeCA = string(kubePEM)
	})
	if env.loadErr != nil {
		t.Fatal(env.loadErr)
	}
	return &env
}

// ctx is the test's context: every SDK call of a test is bounded.
func ctx(t *testing.T) context.Context {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// newClient is the SDK as a user makes it, for key at the platform.
func newClient(apiURL, key string) codefresh.Codefresh {
	return codefresh.New(&codefresh.ClientOptions{Host: apiURL, Token: key, Client: &http.Client{Timeout: time.Minute}})
}

// pro is the SDK for the PRO account.
func pro(t *testing.T) codefresh.Codefresh {
	t.Helper()
	e := suite(t)
	return newClient(e.apiURL, e.apiKey)
}

// enterprise is the SDK for the ENTERPRISE account; the test is skipped without one.
func enterprise(t *testing.T) codefresh.Codefresh {
	t.Helper()
	e := suite(t)
	if e.enterpriseKey == "" {
		t.Skip("CONFORMANCE_ENTERPRISE_API_KEY is not set")
	}
	return newClient(e.apiURL, e.enterpriseKey)
}

// hosted is the prepared hosted runtime's name; the test is skipped without one.
func hosted(t *testing.T) string {
	t.Helper()
	e := suite(t)
	if e.hostedRuntime == "" {
		t.Skip("CONFORMANCE_HOSTED_RUNTIME is not set")
	}
	return e.hostedRuntime
}

var (
	runID       = fmt.Sprintf("%06x", time.Now().UnixNano()/int64(time.Millisecond)%0xffffff)
	nameCounter atomic.Int64
)

// uniqueName is a runtime (or git source, cluster) name no earlier run used: lowercase, digits and '-'.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s-%s-%d", prefix, runID, nameCounter.Add(1))
}

// eventually polls check until it returns nil or `settle` passes; then fails with check's last error.
func eventually(t *testing.T, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, settle, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// mustErrorContaining fails unless err is non-nil and its message contains each of parts.
func mustErrorContaining(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("expected an error containing %q, got none", parts)
	}
	for _, part := range parts {
		if !strings.Contains(err.Error(), part) {
			t.Fatalf("expected an error containing %q, got: %v", part, err)
		}
	}
}

func mustNoError(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

// ---- hybrid runtimes -------------------------------------------------------------------------------

type hybridOptions struct {
	components   []string
	ingressHost  bool
	ingressClass string
	accessMode   *platmodel.AccessMode
	cluster      string
}

// createArgs is what the gitops-runtime chart's app-proxy sends to register a hybrid runtime.
func createArgs(name string, o hybridOptions) *platmodel.RuntimeInstallationArgs {
	components := o.components
	if components == nil {
		components = []string{"app-proxy", "argocd", "events-reporter"}
	}
	cluster := o.cluster
	if cluster == "" {
		cluster = inClusterServer
	}
	return &platmodel.RuntimeInstallationArgs{
		RuntimeName:      name,
		Cluster:          cluster,
		RuntimeVersion:   runtimeVersion,
		ComponentNames:   components,
		InstallationType: ptr(platmodel.InstallationTypeHelm),
		Managed:          ptr(false),
		AccessMode:       o.accessMode,
	}
}

// newHybridRuntime registers a hybrid runtime, waits for its installation to complete and deletes it
// when the test ends.
func newHybridRuntime(t *testing.T, cf codefresh.Codefresh, prefix string, o hybridOptions) string {
	t.Helper()
	name := uniqueName(prefix)
	args := createArgs(name, o)
	if o.ingressHost {
		args.IngressHost = ptr(servedIngressHost(t, cf, name))
	}
	if o.ingressClass != "" {
		args.IngressClass = ptr(o.ingressClass)
	}
	created, err := cf.GraphQL().Runtime().Create(ctx(t), args)
	mustNoError(t, err, "Runtime().Create")
	if created.Name != name {
		t.Fatalf("Runtime().Create returned name %q, want %q", created.Name, name)
	}
	deleteAtEnd(t, cf, name)
	waitInstalled(t, cf, name)
	return name
}

// deleteAtEnd deletes the runtime when the test ends (a test may have deleted it already).
func deleteAtEnd(t *testing.T, cf codefresh.Codefresh, name string) {
	t.Cleanup(func() {
		c, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = cf.GraphQL().Runtime().Delete(c, name)
	})
}

func waitInstalled(t *testing.T, cf codefresh.Codefresh, name string) {
	t.Helper()
	eventually(t, "runtime "+name+" installed", func() error {
		rt, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		if err != nil {
			return err
		}
		if rt.InstallationStatus != platmodel.InstallationStatusCompleted {
			return fmt.Errorf("installationStatus %s", rt.InstallationStatus)
		}
		return nil
	})
}

func accountID(t *testing.T, cf codefresh.Codefresh) string {
	t.Helper()
	me, err := cf.GraphQL().User().GetCurrent(ctx(t))
	mustNoError(t, err, "User().GetCurrent")
	if me.ActiveAccount == nil || me.ActiveAccount.ID == "" {
		t.Fatal("User().GetCurrent: no activeAccount id")
	}
	return me.ActiveAccount.ID
}

// servedIngressHost is where the emulator serves a runtime's app-proxy; an INGRESS runtime registers it.
func servedIngressHost(t *testing.T, cf codefresh.Codefresh, runtime string) string {
	t.Helper()
	return fmt.Sprintf("%s/ingress/%s/%s", suite(t).apiURL, accountID(t, cf), runtime)
}

func appProxy(t *testing.T, cf codefresh.Codefresh, runtime string) appproxy.AppProxyAPI {
	t.Helper()
	ap, err := cf.AppProxy(ctx(t), runtime, false)
	mustNoError(t, err, "AppProxy("+runtime+")")
	return ap
}

// gitRuntime is a hybrid runtime whose app-proxy can commit: the account has a Shared Configuration
// Repository, the runtime's default git integration points at the git server and the caller's token is
// registered with it.
type gitRuntime struct {
	name string
	ap   appproxy.AppProxyAPI
	isc  string
}

func newGitRuntime(t *testing.T, cf codefresh.Codefresh, prefix string) gitRuntime {
	t.Helper()
	e := suite(t)
	isc := ensureIsc(t, cf)
	name := newHybridRuntime(t, cf, prefix, hybridOptions{})
	ap := appProxy(t, cf, name)
	_, err := ap.GitIntegration().Add(ctx(t), &apmodel.AddGitIntegrationArgs{
		Provider:      apmodel.GitProvidersGithub,
		APIURL:        ptr(e.gitAPIURL),
		SharingPolicy: apmodel.SharingPolicyAllUsersInAccount,
	})
	mustNoError(t, err, "GitIntegration().Add")
	_, err = ap.GitIntegration().Register(ctx(t), &apmodel.RegisterToGitIntegrationArgs{Token: e.gitToken})
	mustNoError(t, err, "GitIntegration().Register")
	return gitRuntime{name: name, ap: ap, isc: isc}
}

// ensureIsc gives the account a Shared Configuration Repository if it has none (a hosted runtime's
// connected git gives it one) and returns it.
func ensureIsc(t *testing.T, cf codefresh.Codefresh) string {
	t.Helper()
	e := suite(t)
	me, err := cf.GraphQL().User().GetCurrent(ctx(t))
	mustNoError(t, err, "User().GetCurrent")
	if repo := deref(me.ActiveAccount.SharedConfigRepo); repo != "" {
		return repo
	}
	repo := fmt.Sprintf("%s/%s/isc.git", e.gitURL, e.gitOrg)
	mustNoError(t, cf.GraphQL().Account().UpdateCsdpSettings(ctx(t), platmodel.GitProvidersGithub, e.gitAPIURL, repo), "Account().UpdateCsdpSettings")
	return repo
}

// appsRepo is the repo the tests' git sources watch (the runner creates it).
func appsRepo(t *testing.T) string {
	return fmt.Sprintf("%s/%s/apps.git", suite(t).gitURL, suite(t).gitOrg)
}

// ---- the git server ---------------------------------------------------------------------------------

// repoFile reads path in the repository at repoURL (https://host/owner/repo.git[/dir]) from the git
// server's API: its HTTP status and content. The proof that a commit happened.
func repoFile(t *testing.T, repoURL, path string) (int, string) {
	t.Helper()
	e := suite(t)
	parsed, err := url.Parse(repoURL)
	mustNoError(t, err, "parsing "+repoURL)
	match := regexp.MustCompile(`^/([^/]+)/([^/]+?)\.git(/.*)?$`).FindStringSubmatch(parsed.Path)
	if match == nil {
		t.Fatalf("%s is not https://host/owner/repo.git[/dir]", repoURL)
	}
	inRepo := strings.Trim(strings.TrimPrefix(match[3], "/")+"/"+path, "/")
	request, err := http.NewRequestWithContext(ctx(t), http.MethodGet, fmt.Sprintf("%s/repos/%s/%s/raw/%s", e.gitAPIURL, match[1], match[2], inRepo), nil)
	mustNoError(t, err, "request")
	request.Header.Set("Authorization", "token "+e.gitToken)
	httpClient := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.gitCA}}}
	response, err := httpClient.Do(request)
	mustNoError(t, err, "reading "+path+" from "+repoURL)
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	mustNoError(t, err, "reading body")
	return response.StatusCode, string(body)
}

func mustRepoFile(t *testing.T, repoURL, path string, contains ...string) {
	t.Helper()
	status, content := repoFile(t, repoURL, path)
	if status != http.StatusOK {
		t.Fatalf("%s in %s: HTTP %d, want 200 (committed)", path, repoURL, status)
	}
	for _, part := range contains {
		if !strings.Contains(content, part) {
			t.Errorf("%s in %s does not contain %q:\n%s", path, repoURL, part, content)
		}
	}
}

func mustNoRepoFile(t *testing.T, repoURL, path string) {
	t.Helper()
	if status, _ := repoFile(t, repoURL, path); status != http.StatusNotFound {
		t.Fatalf("%s in %s: HTTP %d, want 404 (removed)", path, repoURL, status)
	}
}

// ---- clusters ---------------------------------------------------------------------------------------

// registerCluster sends, with the PRO account's key, what csdp-official's add-cluster/add-cluster.sh sends
// to the runtime's app-proxy: POST <ingressHost>/app-proxy/api/clusters {name, kubeConfig, annotations,
// labels}, each base64 (the kubeconfig being `kubectl config view --minify --flatten -o json`). Returns the
// HTTP status and body. Safe to call from several goroutines.
func registerCluster(c context.Context, e *environment, ingressHost, name, server, token, caPEM string) (int, string, error) {
	clusterEntry := map[string]any{"server": server}
	if caPEM != "" {
		clusterEntry["certificate-authority-data"] = base64.StdEncoding.EncodeToString([]byte(caPEM))
	}
	contextCluster := strings.TrimPrefix(server, "https://")
	kubeconfig := map[string]any{
		"kind":            "Config",
		"apiVersion":      "v1",
		"preferences":     map[string]any{},
		"clusters":        []any{map[string]any{"name": contextCluster, "cluster": clusterEntry}},
		"users":           []any{map[string]any{"name": "argocd-manager", "user": map[string]any{"token": token}}},
		"contexts":        []any{map[string]any{"name": name, "context": map[string]any{"cluster": contextCluster, "user": "argocd-manager"}}},
		"current-context": name,
	}
	kubeJSON, err := json.Marshal(kubeconfig)
	if err != nil {
		return 0, "", err
	}
	response, err := newClient(ingressHost, e.apiKey).HttpClient().NativeRestAPI(c, &client.RequestOptions{
		Method: http.MethodPost,
		Path:   "/app-proxy/api/clusters",
		Body: map[string]string{
			"name":        name,
			"kubeConfig":  base64.StdEncoding.EncodeToString(kubeJSON),
			"annotations": base64.StdEncoding.EncodeToString([]byte("conformance: \"true\"\n")),
			"labels":      base64.StdEncoding.EncodeToString([]byte("suite: conformance\n")),
		},
	})
	if err != nil {
		return 0, "", err
	}
	defer response.Body.Close()
	body, err := io.ReadAll(response.Body)
	return response.StatusCode, string(body), err
}

func ingressHostOf(t *testing.T, cf codefresh.Codefresh, runtime string) string {
	t.Helper()
	rt, err := cf.GraphQL().Runtime().Get(ctx(t), runtime)
	mustNoError(t, err, "Runtime().Get")
	return deref(rt.IngressHost)
}

// mustRegisterCluster registers a cluster of the PRO account: at the shared kube-apiserver with its CA and
// a valid token, or at another server (unreachable) without a CA.
func mustRegisterCluster(t *testing.T, runtime, name, server string) {
	t.Helper()
	e := suite(t)
	ca := ""
	if server == e.kubeServer {
		ca = e.kubeCA
	}
	status, body, err := registerCluster(ctx(t), e, ingressHostOf(t, pro(t), runtime), name, server, e.kubeToken, ca)
	mustNoError(t, err, "POST app-proxy/api/clusters")
	if status != http.StatusCreated {
		t.Fatalf("registering cluster %s (%s): HTTP %d %s, want 201", name, server, status, body)
	}
}

// registerUnreachableClusters registers count clusters at servers nothing listens on, a few at a time.
func registerUnreachableClusters(t *testing.T, runtime, prefix string, firstPort, count int) {
	t.Helper()
	e := suite(t)
	ingressHost := ingressHostOf(t, pro(t), runtime)
	c := ctx(t)
	failures := make(chan string, count)
	slots := make(chan struct{}, 8)
	register := func(i int) {
		name := fmt.Sprintf("%s-%02d", prefix, i)
		status, body, err := registerCluster(c, e, ingressHost, name, fmt.Sprintf("https://127.0.0.1:%d", firstPort+i), "unused-token", "")
		if err != nil || status != http.StatusCreated {
			failures <- fmt.Sprintf("%s: HTTP %d %s %v", name, status, body, err)
		}
	}
	// The first write of a runtime adds its layout to the Shared Configuration Repository: alone, first.
	register(0)
	var wg sync.WaitGroup
	for i := 1; i < count; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			slots <- struct{}{}
			defer func() { <-slots }()
			register(i)
		}(i)
	}
	wg.Wait()
	close(failures)
	for failure := range failures {
		t.Errorf("registering cluster %s, want 201", failure)
	}
	if t.Failed() {
		t.FailNow()
	}
}

func listClusters(t *testing.T, cf codefresh.Codefresh, runtime string) []platmodel.Cluster {
	t.Helper()
	clusters, err := cf.GraphQL().Cluster().List(ctx(t), runtime)
	mustNoError(t, err, "Cluster().List")
	return clusters
}

func clusterNames(clusters []platmodel.Cluster) []string {
	names := make([]string, 0, len(clusters))
	for _, c := range clusters {
		names = append(names, metadataName(c.Metadata))
	}
	return names
}

func metadataName(m *platmodel.ObjectMeta) string {
	if m == nil {
		return ""
	}
	return m.Name
}

// ---- git sources ------------------------------------------------------------------------------------

func listGitSources(t *testing.T, cf codefresh.Codefresh, runtime string) []platmodel.GitSource {
	t.Helper()
	sources, err := cf.GraphQL().GitSource().List(ctx(t), runtime)
	mustNoError(t, err, "GitSource().List")
	return sources
}

func findGitSource(sources []platmodel.GitSource, name string) *platmodel.GitSource {
	i := slices.IndexFunc(sources, func(s platmodel.GitSource) bool { return metadataName(s.Metadata) == name })
	if i < 0 {
		return nil
	}
	return &sources[i]
}

// waitGitSource waits until GitSource().List shows name with its Application reported (self set).
func waitGitSource(t *testing.T, cf codefresh.Codefresh, runtime, name string) platmodel.GitSource {
	t.Helper()
	var found platmodel.GitSource
	eventually(t, "git source "+name+" listed", func() error {
		source := findGitSource(listGitSources(t, cf, runtime), name)
		if source == nil {
			return errors.New("not listed")
		}
		if source.Self == nil {
			return errors.New("listed without its Application (self null)")
		}
		found = *source
		return nil
	})
	return found
}

// runtimeGone waits until Runtime().Get answers the SDK's own "does not exist" for name (a deleted runtime stays
// readable for the emulator's delete delay, as on Codefresh).
func runtimeGone(t *testing.T, cf codefresh.Codefresh, name string) {
	t.Helper()
	eventually(t, "runtime "+name+" gone", func() error {
		_, err := cf.GraphQL().Runtime().Get(ctx(t), name)
		if err == nil {
			return fmt.Errorf("still readable")
		}
		if err.Error() != fmt.Sprintf("runtime '%s' does not exist", name) {
			return fmt.Errorf("unexpected error: %w", err)
		}
		return nil
	})
}
