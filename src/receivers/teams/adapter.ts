import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
} from 'botbuilder';
import type { Activity, InvokeResponse, TurnContext } from 'botbuilder';
import type { AuthenticateRequestResult, ClaimsIdentity, ConnectorClient, ConnectorFactory } from 'botframework-connector';
import type { TeamsConfig } from '../../model/config.js';
import { tokenProblem, type TokenCheck, type TokenKeySources } from './token-problem.js';

/** True when no appId is configured: botbuilder then accepts unauthenticated activities and sends without a token. */
export function teamsAuthDisabled(teams: TeamsConfig | undefined): boolean {
  return !teams?.appId?.trim();
}

/** The options botbuilder's ConfigurationBotFrameworkAuthentication reads, from our config. */
export function teamsAuthOptions(teams: TeamsConfig | undefined): ConfigurationBotFrameworkAuthenticationOptions {
  if (!teams || teamsAuthDisabled(teams)) return { ...(teams?.auth ?? {}) };
  return {
    MicrosoftAppId: teams.appId,
    MicrosoftAppPassword: teams.appPassword,
    MicrosoftAppType: teams.appType,
    MicrosoftAppTenantId: teams.tenantId,
    ...teams.auth,
  };
}

/**
 * The pipeline owns retries: the Azure HTTP pipeline under botbuilder's connector
 * retries 429 and 5xx three times on its own (sleeping through Retry-After), so
 * every connector client we hand out has that policy removed.
 */
function withoutRetries(client: ConnectorClient): ConnectorClient {
  const pipeline = (client as unknown as { client?: { pipeline?: { removePolicy(o: { name: string }): unknown } } }).client?.pipeline;
  pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
  return client;
}

function noRetryFactory(inner: ConnectorFactory): ConnectorFactory {
  return { create: async (serviceUrl: string, audience?: string) => withoutRetries(await inner.create(serviceUrl, audience)) };
}

class NoRetryAuthentication extends ConfigurationBotFrameworkAuthentication {
  override createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return noRetryFactory(super.createConnectorFactory(claimsIdentity));
  }

  override async authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    const result = await super.authenticateRequest(activity, authHeader);
    if (result.connectorFactory) result.connectorFactory = noRetryFactory(result.connectorFactory);
    return result;
  }

  /** The issuer and metadata URLs botbuilder resolved from our options (public cloud, sovereign, or teams.auth). */
  keySources(): TokenKeySources {
    type Inner = { toBotFromChannelTokenIssuer?: string; toBotFromChannelOpenIdMetadataUrl?: string; toBotFromEmulatorOpenIdMetadataUrl?: string };
    const inner = (this as unknown as { inner?: Inner }).inner ?? {};
    return {
      channelIssuer: inner.toBotFromChannelTokenIssuer,
      channelMetadataUrl: inner.toBotFromChannelOpenIdMetadataUrl,
      emulatorMetadataUrl: inner.toBotFromEmulatorOpenIdMetadataUrl,
    };
  }
}

/**
 * The CloudAdapter with an entry point for inbound activities that hands every failure back to the caller:
 * CloudAdapter.process prints each one (a forged token's included) to stderr with its stack, then answers 500.
 */
export class TeamsAdapter extends CloudAdapter {
  private readonly auth: NoRetryAuthentication;

  constructor(auth: NoRetryAuthentication) {
    super(auth);
    this.auth = auth;
  }

  /** Authenticates the activity (AuthenticationError when refused), runs `logic`, and resolves with the invoke response if any. */
  receive(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>): Promise<InvokeResponse | undefined> {
    return this.processActivity(authHeader, activity, logic);
  }

  /** A token botbuilder would refuse noisily, refused here quietly (token-problem.ts). */
  checkToken(authHeader: string, nowMs: number): Promise<TokenCheck> {
    return tokenProblem(authHeader, nowMs, this.auth.keySources());
  }
}

/** The adapter for our Teams config (auth off without appId), whose connector calls never retry by themselves. */
export function createTeamsAdapter(teams: TeamsConfig | undefined): TeamsAdapter {
  return new TeamsAdapter(new NoRetryAuthentication(teamsAuthOptions(teams)));
}
