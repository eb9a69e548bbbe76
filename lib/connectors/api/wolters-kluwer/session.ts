import { ConnectorError } from "../../errors";
import type { ConnectorContext } from "../../types";
import { endpointUrl } from "../endpoint-path";
import { classifyApiAnswer, type HttpAnswer, sendRequest, woltersKluwerApiBaseUrl } from "./client";
import type { WoltersKluwerSecrets, WoltersKluwerSettings } from "./config";
import { isAccessTokenFresh, refreshGrant } from "./oauth";

export type WoltersKluwerContext = ConnectorContext<WoltersKluwerSettings, WoltersKluwerSecrets, unknown>;

type CallInput = {
  method: "GET" | "POST";
  /** A relative endpoint path from the settings; `{administrationId}` filled from `administrationId`. */
  path: string;
  administrationId?: string;
  query?: Record<string, string>;
  body?: FormData;
};

/**
 * Authorised calls to the Adsolut API for one connector call: a fresh access token first
 * (refreshed through ctx.rotateSecrets when missing or about to expire), and a 401 answered by
 * one refresh and one repeat. Resolves with the 2xx answer; anything else is thrown classified.
 */
export class WoltersKluwerSession {
  readonly baseUrl: string;
  readonly settings: WoltersKluwerSettings;
  private secrets: WoltersKluwerSecrets;

  constructor(
    private readonly ctx: WoltersKluwerContext,
    private readonly now: () => number = Date.now,
  ) {
    // Before the admin connected there is no grant: nothing to call with.
    if (!ctx.secrets.refreshToken && !ctx.secrets.accessToken) throw new ConnectorError("auth", "not_authorised");
    this.baseUrl = woltersKluwerApiBaseUrl(ctx.settings);
    this.settings = ctx.settings;
    this.secrets = ctx.secrets;
  }

  async call(input: CallInput): Promise<HttpAnswer> {
    const values: Record<string, string> =
      input.administrationId === undefined ? {} : { administrationId: input.administrationId };
    const query = input.query && Object.keys(input.query).length > 0 ? `?${new URLSearchParams(input.query)}` : "";
    const url = `${endpointUrl(this.baseUrl, input.path, values)}${query}`;
    let token = await this.accessToken(null);
    for (let isRepeat = false; ; isRepeat = true) {
      const answer = await sendRequest(
        url,
        {
          method: input.method,
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          // fetch sets the multipart content type with its boundary itself.
          body: input.body,
        },
        this.ctx.signal,
      );
      if (answer.status === 401 && !isRepeat) {
        // Revoked or expired earlier than it said: one refresh, one repeat.
        token = await this.accessToken(token);
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw classifyApiAnswer(answer, { isAdministrationScoped: input.administrationId !== undefined }, this.now());
      }
      return answer;
    }
  }

  /**
   * A usable access token. `rejected`: the token just refused, which must not come back. Under
   * the row lock the stored secrets are looked at again: another job may have refreshed.
   */
  private async accessToken(rejected: string | null): Promise<string> {
    if (rejected === null && isAccessTokenFresh(this.secrets, this.now()) && this.secrets.accessToken) {
      return this.secrets.accessToken;
    }
    const stored = await this.ctx.rotateSecrets(async (latest) => {
      if (isAccessTokenFresh(latest, this.now()) && latest.accessToken !== rejected) return null;
      return refreshGrant({
        settings: this.ctx.settings,
        app: this.ctx.oauthApp,
        secrets: latest,
        signal: this.ctx.signal,
        now: this.now,
      });
    });
    this.secrets = stored;
    if (!stored.accessToken) throw new ConnectorError("auth", "not_authorised");
    return stored.accessToken;
  }
}
