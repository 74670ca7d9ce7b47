/** Running the real AWS CLI v1 (and boto3) from tests, with nothing of the machine's AWS setup leaking in. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export const run = promisify(execFile);

/** The environment minus every AWS_ variable, plus dummy credentials, a region and no config files. */
export function cliEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/opencases-aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/opencases-aws-credentials',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/**
 * Runs `aws connectcases <args>` against the endpoint (none: the environment names it) and parses its JSON
 * output; a non-zero exit rejects with the CLI's stderr.
 */
export async function awsCli(endpoint: string | undefined, args: string[], env: Record<string, string> = {}): Promise<any> {
  const endpointArgs = endpoint ? ['--endpoint-url', endpoint] : [];
  const { stdout } = await run('aws', ['connectcases', ...args, ...endpointArgs, '--output', 'json'], { env: cliEnv(env), timeout: 60_000 });
  return stdout.trim() ? JSON.parse(stdout) : undefined;
}
