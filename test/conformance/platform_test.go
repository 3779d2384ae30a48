package conformance

import (
	"fmt"
	"slices"
	"testing"

	platmodel "github.com/codefresh-io/go-sdk/pkg/model/platform"
)

// Codefresh answers the latest release of its CLI (cli-v2's Makefile VERSION at the mirrored commit).
func TestCliReleaseGetLatest(t *testing.T) {
	latest, err := pro(t).GraphQL().CliRelease().GetLatest(ctx(t))
	mustNoError(t, err, "CliRelease().GetLatest")
	equal(t, "latest CLI release", latest, "v0.2.16")
}

// Codefresh lists a hybrid runtime's components (those its installer registered), each at the runtime's
// version, synced and healthy; an unknown runtime is refused.
func TestComponentList(t *testing.T) {
	cf := pro(t)
	installed := []string{"app-proxy", "argo-cd", "argo-events", "sealed-secrets"}
	name := newHybridRuntime(t, cf, "comp-list", hybridOptions{components: installed})
	components, err := cf.GraphQL().Component().List(ctx(t), name)
	mustNoError(t, err, "Component().List")
	names := []string{}
	for _, c := range components {
		names = append(names, metadataName(c.Metadata))
		equal(t, metadataName(c.Metadata)+" version", c.Version, runtimeVersion)
		equal(t, metadataName(c.Metadata)+" metadata.runtime", c.Metadata.Runtime, name)
		if c.Self == nil || c.Self.Status == nil {
			t.Errorf("%s: self.status is null", metadataName(c.Metadata))
			continue
		}
		equal(t, metadataName(c.Metadata)+" self.status.syncStatus", c.Self.Status.SyncStatus, platmodel.SyncStatusSynced)
		equal(t, metadataName(c.Metadata)+" self.status.healthStatus", deref(c.Self.Status.HealthStatus), platmodel.HealthStatusHealthy)
	}
	slices.Sort(names)
	if !slices.Equal(names, installed) {
		t.Errorf("components %v, want %v", names, installed)
	}

	t.Run("an unknown runtime is refused", func(t *testing.T) {
		_, err := cf.GraphQL().Component().List(ctx(t), "no-such-runtime")
		mustErrorContaining(t, err, "does not exist")
	})
}

type usage struct{ clusters, applications int }

// accountUsage counts, through the SDK's lists, what the plan limits: the managed clusters of every
// runtime (not their own in-cluster) and the git sources.
func accountUsage(t *testing.T) usage {
	t.Helper()
	cf := pro(t)
	var u usage
	for _, c := range listClusters(t, cf, "") {
		if metadataName(c.Metadata) != "in-cluster" {
			u.clusters++
		}
	}
	u.applications = len(listGitSources(t, cf, ""))
	return u
}

// Codefresh answers the account's GitOps usage against its plan's limits (PRO: 10 clusters, 100
// applications; ENTERPRISE: none) and whether the usage is within them.
func TestPaymentsGetLimitsStatus(t *testing.T) {
	cf := pro(t)
	status := func(t *testing.T) *platmodel.LimitsStatus {
		t.Helper()
		limits, err := cf.GraphQL().Payments().GetLimitsStatus(ctx(t))
		mustNoError(t, err, "Payments().GetLimitsStatus")
		if limits.Usage == nil || limits.Limits == nil {
			t.Fatalf("limitsStatus %+v: want usage and limits", limits)
		}
		return limits
	}
	check := func(t *testing.T, want usage, within bool) {
		t.Helper()
		s := status(t)
		equal(t, "usage.clusters", deref(s.Usage.Clusters), want.clusters)
		equal(t, "usage.applications", deref(s.Usage.Applications), want.applications)
		equal(t, "limits.clusters", deref(s.Limits.Clusters), 10)
		equal(t, "limits.applications", deref(s.Limits.Applications), 100)
		equal(t, "status", s.Status, within)
	}
	before := accountUsage(t)

	t.Run("usage is the account's managed clusters and git sources", func(t *testing.T) {
		check(t, before, before.clusters <= 10 && before.applications <= 100)
	})

	rt := newGitRuntime(t, cf, "pay-usage")
	t.Run("a registered cluster and a git source count", func(t *testing.T) {
		mustRegisterCluster(t, rt.name, "target", suite(t).kubeServer)
		createGitSource(t, rt, "guestbook", "guestbook")
		check(t, usage{before.clusters + 1, before.applications + 1}, before.clusters+1 <= 10)
	})

	t.Run("more clusters than the plan allows: not within limits", func(t *testing.T) {
		if more := 11 - (before.clusters + 1); more > 0 {
			registerUnreachableClusters(t, rt.name, "over", 20300, more)
		}
		now := accountUsage(t)
		check(t, now, false)
	})

	t.Run("deleting the runtime gives its clusters and git sources back", func(t *testing.T) {
		_, err := cf.GraphQL().Runtime().Delete(ctx(t), rt.name)
		mustNoError(t, err, "Runtime().Delete")
		eventually(t, "usage back to before", func() error {
			if now := accountUsage(t); now != before {
				return fmt.Errorf("usage %+v, want %+v", now, before)
			}
			return nil
		})
		check(t, before, before.clusters <= 10 && before.applications <= 100)
	})

	t.Run("ENTERPRISE has no limits", func(t *testing.T) {
		limits, err := enterprise(t).GraphQL().Payments().GetLimitsStatus(ctx(t))
		mustNoError(t, err, "Payments().GetLimitsStatus")
		if limits.Limits != nil {
			t.Errorf("ENTERPRISE limits %+v, want null", *limits.Limits)
		}
		equal(t, "ENTERPRISE status", limits.Status, true)
	})
}
