// Starts the servers integration tests share, once per run and in parallel: a Kubernetes control plane
// and a git server (Gitea), and later the Codefresh emulator. Tests isolate themselves by names, not restarts.
import { LocalGitea, LocalKubernetes, startGitea, startKubernetes } from "pulumi-codefresh-emulator";
import { harnessEnv, setShared } from "./shared";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const timed = <T>(what: Promise<T>) => what.then((value) => ({ value, ms: Date.now() - started }));
  const [kubeResult, giteaResult] = await Promise.allSettled([timed(startKubernetes()), timed(startGitea())]);
  if (kubeResult.status === "rejected" || giteaResult.status === "rejected") {
    // Stop whichever did start, so a failed set-up leaves no server behind.
    if (kubeResult.status === "fulfilled") await kubeResult.value.value.stop();
    if (giteaResult.status === "fulfilled") await giteaResult.value.value.stop();
    throw kubeResult.status === "rejected" ? kubeResult.reason : (giteaResult as PromiseRejectedResult).reason;
  }
  const kube: LocalKubernetes = kubeResult.value.value;
  const gitea: LocalGitea = giteaResult.value.value;
  setShared({ kube, gitea });
  process.env[harnessEnv.kubeconfigPath] = kube.kubeconfigPath;
  process.env[harnessEnv.kubeServer] = kube.server;
  process.env[harnessEnv.kubeWorkDir] = kube.workDir;
  process.env[harnessEnv.giteaUrl] = gitea.url;
  process.env[harnessEnv.giteaWorkDir] = gitea.workDir;
  process.env[harnessEnv.giteaAdminUser] = gitea.adminUser;
  process.env[harnessEnv.giteaAdminPassword] = gitea.adminPassword;
  process.env[harnessEnv.giteaAdminToken] = gitea.adminToken;
  console.log(`\n[harness] Kubernetes ${kube.server} ready in ${kubeResult.value.ms} ms; Gitea ${gitea.url} ready in ${giteaResult.value.ms} ms`);
}
