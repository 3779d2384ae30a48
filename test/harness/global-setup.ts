// Starts the servers integration tests share, once per run: a Kubernetes control plane (and, as they
// land, the git server and the Codefresh emulator). Tests isolate themselves by names, not restarts.
import { startKubernetes } from "pulumi-codefresh-emulator";
import { harnessEnv, setShared } from "./shared";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const kube = await startKubernetes();
  setShared({ kube });
  process.env[harnessEnv.kubeconfigPath] = kube.kubeconfigPath;
  process.env[harnessEnv.kubeServer] = kube.server;
  process.env[harnessEnv.kubeWorkDir] = kube.workDir;
  console.log(`\n[harness] Kubernetes ${kube.server} ready in ${Date.now() - started} ms`);
}
