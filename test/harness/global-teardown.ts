import { getShared } from "./shared";

export default async function globalTeardown(): Promise<void> {
  const shared = getShared();
  await Promise.all([shared?.kube.stop(), shared?.gitea.stop()]);
}
