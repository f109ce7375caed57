#!/usr/bin/env node
// The `emrflow` command. The CLI is TypeScript; tsx loads it without a build step.
import { register } from 'tsx/esm/api';

// The AWS SDK prints a multi-line notice on every command under Node 20 (its releases after
// January 2027 need Node 22; the locked version works on 20). emrflow's output stays one line
// per fact; the README says so. Set the variable to false to see the notice again.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../cli/main.ts');
