// Codefresh's own public client, github.com/codefresh-io/go-sdk, against the emulator: every function of the
// platform GraphQL (Runtime, Account, User, Cluster, GitSource, Component, Payments, CliRelease), the app-proxy
// (Cluster, GitSource, GitIntegration, ISC, VersionInfo) and REST User().GetCurrent, driven only through the
// SDK's functions and model types. Plain HTTP only where the SDK has none: the REST cluster registration
// Codefresh's add-cluster job sends, and reading the Shared Configuration Repository from the git server.
// test/integration/conformance.test.ts starts the servers and passes them in the environment.
package conformance

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	ap "github.com/codefresh-io/go-sdk/pkg/appproxy"
	"github.com/codefresh-io/go-sdk/pkg/client"
	"github.com/codefresh-io/go-sdk/pkg/codefresh"
	apmodel "github.com/codefresh-io/go-sdk/pkg/model/app-proxy"
	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

type environment struct {
	apiURL, apiKey            string
	gitURL, gitAPIURL, gitOrg string
	gitToken                  string
	gitHTTP                   *http.Client
	kubeServer, kubeToken     string
	kubeCA                    string
	hostedRuntime             string
}

var env environment

// The hybrid runtime most tests write through: registered, its git token registered, the account's ISC set.
const writer = "conf-writer"
const runtimeVersion = "0.1.72"

func required(name string) string {
	value := os.Getenv(name)
	if value == "" {
		fmt.Fprintf(os.Stderr, "conformance: %s is not set (run through test/integration/conformance.test.ts)\n", name)
		os.Exit(2)
	}
	return value
}

func TestMain(m *testing.M) {
	flag.Parse()
	if list := flag.Lookup("test.list"); list != nil && list.Value.String() != "" {
		os.Exit(m.Run()) // listing the tests needs no servers
	}
	env = environment{
		apiURL: required("CODEFRESH_API_URL"), apiKey: required("CODEFRESH_API_KEY"),
		gitURL: required("CONFORMANCE_GIT_URL"), gitAPIURL: required("CONFORMANCE_GIT_API_URL"),
		gitOrg: required("CONFORMANCE_GIT_ORG"), gitToken: required("CONFORMANCE_GIT_TOKEN"),
		kubeServer: required("CONFORMANCE_KUBE_SERVER"), kubeToken: required("CONFORMANCE_KUBE_TOKEN"),
		hostedRuntime: required("CONFORMANCE_HOSTED_RUNTIME"),
	}
	ca, err := os.ReadFile(required("CONFORMANCE_KUBE_CA_FILE"))
	must(err)
	env.kubeCA = string(ca)
	gitCA, err := os.ReadFile(required("CONFORMANCE_GIT_CA_FILE"))
	must(err)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(gitCA)
	env.gitHTTP = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	must(prepareWriter())
	os.Exit(m.Run())
}

func must(err error) {
	if err != nil {
		fmt.Fprintf(os.Stderr, "conformance: set-up failed: %v\n", err)
		os.Exit(2)
	}
}

func cf() codefresh.Codefresh {
	return codefresh.New(&codefresh.ClientOptions{Host: env.apiURL, Token: env.apiKey, Client: &http.Client{Timeout: 30 * time.Second}})
}

func ctx() context.Context { return context.Background() }

func ptr[T any](v T) *T { return &v }

// hybridArgs: what the gitops-runtime chart's app-proxy registers (installationType HELM, managed false).
func hybridArgs(name string) *platmodel.RuntimeInstallationArgs {
	return &platmodel.RuntimeInstallationArgs{
		RuntimeName:      name,
		Cluster:          "https://kubernetes.default.svc",
		RuntimeVersion:   runtimeVersion,
		ComponentNames:   []string{"app-proxy", "argocd", "argo-gateway"},
		InstallationType: ptr(platmodel.InstallationTypeHelm),
		Managed:          ptr(false),
	}
}

func iscRepo() string { return fmt.Sprintf("%s/%s/codefresh-isc.git", env.gitURL, env.gitOrg) }

// prepareWriter registers the writer runtime, sets the account's ISC and registers the git token with the runtime's
// default integration, as a user does after installing a hybrid runtime.
func prepareWriter() error {
	if _, err := cf().GraphQL().Runtime().Create(ctx(), hybridArgs(writer)); err != nil {
		return err
	}
	if err := cf().GraphQL().Account().UpdateCsdpSettings(ctx(), platmodel.GitProvidersGithub, env.gitAPIURL, iscRepo()); err != nil {
		return err
	}
	return registerGitToken(writer)
}

func registerGitToken(runtime string) error {
	proxy, err := cf().AppProxy(ctx(), runtime, false)
	if err != nil {
		return err
	}
	if _, err := proxy.GitIntegration().Add(ctx(), &apmodel.AddGitIntegrationArgs{Provider: apmodel.GitProvidersGithub, APIURL: ptr(env.gitAPIURL), SharingPolicy: apmodel.SharingPolicyAllUsersInAccount}); err != nil {
		return err
	}
	_, err = proxy.GitIntegration().Register(ctx(), &apmodel.RegisterToGitIntegrationArgs{Token: env.gitToken})
	return err
}

func appProxy(t *testing.T, runtime string) ap.AppProxyAPI {
	t.Helper()
	proxy, err := cf().AppProxy(ctx(), runtime, false)
	if err != nil {
		t.Fatalf("AppProxy(%s): %v", runtime, err)
	}
	return proxy
}

func errorContains(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("want an error containing %q, got %v", want, err)
	}
}

func noError(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equal[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

// iscFileStatus: the git server's answer for a file of the Shared Configuration Repository (200 or 404).
func iscFileStatus(t *testing.T, path string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/repos/%s/codefresh-isc/contents/%s", env.gitAPIURL, env.gitOrg, path), nil)
	req.Header.Set("Authorization", "token "+env.gitToken)
	res, err := env.gitHTTP.Do(req)
	noError(t, err)
	defer res.Body.Close()
	return res.StatusCode
}

// registerCluster sends what csdp-official's add-cluster/add-cluster.sh sends: POST <ingress>/app-proxy/api/clusters
// with the base64 of `kubectl config view --minify --flatten -o json`, annotations and labels (base64 YAML).
func registerCluster(t *testing.T, runtime, name, server, token string) {
	t.Helper()
	rt, err := cf().GraphQL().Runtime().Get(ctx(), runtime)
	noError(t, err)
	kubeconfig := map[string]any{
		"apiVersion": "v1", "kind": "Config", "current-context": name,
		"clusters": []any{map[string]any{"name": name, "cluster": map[string]any{"server": server, "certificate-authority-data": base64.StdEncoding.EncodeToString([]byte(env.kubeCA))}}},
		"users":    []any{map[string]any{"name": "argocd-manager", "user": map[string]any{"token": token}}},
		"contexts": []any{map[string]any{"name": name, "context": map[string]any{"cluster": name, "user": "argocd-manager"}}},
	}
	raw, _ := json.Marshal(kubeconfig)
	body := map[string]string{
		"name":        name,
		"kubeConfig":  base64.StdEncoding.EncodeToString(raw),
		"annotations": base64.StdEncoding.EncodeToString([]byte("team: platform\n")),
		"labels":      base64.StdEncoding.EncodeToString([]byte("env: conformance\n")),
	}
	// The SDK's own HTTP client, based at the runtime's ingress host.
	ingress := client.NewCfClient(*rt.IngressHost, env.apiKey, "", &http.Client{Timeout: 30 * time.Second})
	answer, err := ingress.NativeRestAPI(ctx(), &client.RequestOptions{Path: "/app-proxy/api/clusters", Method: "POST", Body: body})
	noError(t, err)
	defer answer.Body.Close()
	if answer.StatusCode != http.StatusCreated {
		t.Fatalf("cluster registration answered %d", answer.StatusCode)
	}
}

func asAPIError(err error) *client.ApiError {
	var apiError *client.ApiError
	if errors.As(err, &apiError) {
		return apiError
	}
	return nil
}
