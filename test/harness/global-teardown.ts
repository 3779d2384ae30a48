import { getShared } from "./shared";

export default async function globalTeardown(): Promise<void> {
  await getShared()?.kube.stop();
}
