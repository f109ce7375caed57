// What Spark in local mode gets on top of pyspark (spark-jobs/local-spark.json): JARs on the
// driver's class path and the settings that use them, as spark-submit arguments. infra/bootstrap.mjs
// downloads the JARs; EMR never sees any of this.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

interface LocalSparkFile {
  jars: { maven: string }[];
  conf: Record<string, string>;
  /** The driver JVM's options and its class-data-sharing archive (spark-jobs/spark_cds.py creates it). */
  driver?: { javaOptions?: string; cdsArchive?: string };
}

export const localSparkFile = join(repoRoot, 'spark-jobs', 'local-spark.json');

/** Where bootstrap puts the JAR of group:artifact:version. */
export function localJarPath(coordinate: string): string {
  const [, artifact, version] = coordinate.split(':');
  return join(repoRoot, '.venv', 'jars', `${artifact}-${version}.jar`);
}

/** spark-submit options for local runs; throws one line naming the fix when a JAR is missing. */
export function localSparkArgs(file = localSparkFile): string[] {
  const spec = JSON.parse(readFileSync(file, 'utf8')) as LocalSparkFile;
  const jars = spec.jars.map((j) => localJarPath(j.maven));
  const missing = jars.find((j) => !existsSync(j));
  if (missing) throw new Error(`${missing} is missing: run \`npm run setup\``);
  const args = jars.length ? ['--driver-class-path', jars.join(':')] : [];
  for (const [key, value] of Object.entries(spec.conf)) args.push('--conf', `${key}=${value}`);
  // As spark-jobs/local_spark.py: the archive only when it exists (the JVM itself ignores one that
  // does not match its class path or JDK); defaultJavaOptions so a caller's extraJavaOptions add to them.
  const archive = spec.driver?.cdsArchive ? join(repoRoot, spec.driver.cdsArchive) : undefined;
  const java = [spec.driver?.javaOptions ?? '', archive && existsSync(archive) ? `-XX:SharedArchiveFile=${archive}` : '']
    .filter(Boolean)
    .join(' ');
  if (java) args.push('--conf', `spark.driver.defaultJavaOptions=${java}`);
  return args;
}
