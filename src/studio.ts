import type { ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import {
  ApolloServerPluginLandingPageLocalDefault,
  ApolloServerPluginLandingPageProductionDefault,
} from '@apollo/server/plugin/landingPage/default';
import { ApolloServerPluginSchemaReporting } from '@apollo/server/plugin/schemaReporting';
import { ApolloServerPluginUsageReporting } from '@apollo/server/plugin/usageReporting';
import type { Logger } from 'pino';
import type { Config } from './config.js';

export type StudioOptions = Pick<Config, 'environment' | 'federation' | 'apollo'>;

/**
 * Apollo Studio and Sandbox. The landing page is the local Sandbox outside production and the
 * production landing page in production. Reporting: a subgraph records inline traces that its
 * router reports, and its schema is published with `rover subgraph publish`; a plain graph
 * (`FEDERATION=off`) with Apollo credentials reports usage and its schema itself. Whatever is not
 * reported is disabled explicitly, so Apollo Server never decides from the environment on its own.
 */
export function studioPlugins(options: StudioOptions, logger: Logger): ApolloServerPlugin[] {
  const landingPage =
    options.environment === 'production'
      ? ApolloServerPluginLandingPageProductionDefault({ graphRef: options.apollo?.graphRef, footer: false })
      : ApolloServerPluginLandingPageLocalDefault({ footer: false });
  return [landingPage, ...reportingPlugins(options, logger)];
}

function reportingPlugins({ federation, apollo }: StudioOptions, logger: Logger): ApolloServerPlugin[] {
  const disabled = [ApolloServerPluginUsageReportingDisabled(), ApolloServerPluginSchemaReportingDisabled()];
  if (federation === 'subgraph') {
    if (apollo) {
      logger.warn(
        'APOLLO_KEY is set, but a subgraph does not report to Apollo itself: its router reports usage ' +
          '(with our inline traces) and `rover subgraph publish` its schema. FEDERATION=off reports directly.',
      );
    }
    return [ApolloServerPluginInlineTrace(), ...disabled];
  }
  return apollo ? [ApolloServerPluginUsageReporting(), ApolloServerPluginSchemaReporting()] : disabled;
}
