// The Glue database the catalog stage registers the tables in and the Athena workgroup
// `emrflow query` uses, named and set up as `aws bootstrap` does (infra/aws/catalog.ts).
import { Aws } from 'aws-cdk-lib';
import { CfnWorkGroup } from 'aws-cdk-lib/aws-athena';
import { CfnDatabase } from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { EmrflowConfig } from '../infra/config';
import { athenaResultsUri } from '../infra/query/athena-engine';

export class Catalog extends Construct {
  constructor(scope: Construct, id: string, { config }: { config: EmrflowConfig }) {
    super(scope, id);
    new CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: { name: config.catalog.database, description: 'emrflow: the Sparkify star schema, registered after every published run' },
    });
    const output = athenaResultsUri(config);
    new CfnWorkGroup(this, 'WorkGroup', {
      name: config.catalog.athena_workgroup,
      description: 'emrflow query: the Sparkify star schema in the Glue catalog',
      workGroupConfiguration: {
        ...(output && { resultConfiguration: { outputLocation: output, encryptionConfiguration: { encryptionOption: 'SSE_S3' } } }),
        publishCloudWatchMetricsEnabled: true,
        enforceWorkGroupConfiguration: true,
      },
    });
  }
}
