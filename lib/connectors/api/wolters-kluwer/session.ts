import { type HttpAnswer, sendRequest } from "../../transports/http";
import { BearerSession } from "../../transports/oauth2";
import type { ConnectorContext } from "../../types";
import { endpointUrl } from "../endpoint-path";
import { WK_ACCESS_TOKEN_REFRESH_MARGIN_MS } from "./assumptions";
import { classifyApiAnswer, woltersKluwerApiBaseUrl } from "./client";
import type { WoltersKluwerSecrets, WoltersKluwerSettings } from "./config";
import { refreshGrant } from "./oauth";

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
 * one refresh and one repeat (BearerSession). Resolves with the 2xx answer; anything else is
 * thrown classified.
 */
export class WoltersKluwerSession {
  readonly baseUrl: string;
  readonly settings: WoltersKluwerSettings;
  private readonly bearer: BearerSession<WoltersKluwerSecrets>;

  constructor(
    private readonly ctx: WoltersKluwerContext,
    private readonly now: () => number = Date.now,
  ) {
    this.bearer = new BearerSession({
      secrets: ctx.secrets,
      rotateSecrets: (rotate) => ctx.rotateSecrets(rotate),
      refresh: (latest) =>
        refreshGrant({ settings: ctx.settings, app: ctx.oauthApp, secrets: latest, signal: ctx.signal, now }),
      refreshMarginMs: WK_ACCESS_TOKEN_REFRESH_MARGIN_MS,
      now,
    });
    this.baseUrl = woltersKluwerApiBaseUrl(ctx.settings);
    this.settings = ctx.settings;
  }

  async call(input: CallInput): Promise<HttpAnswer> {
    const values: Record<string, string> =
      input.administrationId === undefined ? {} : { administrationId: input.administrationId };
    const query = input.query && Object.keys(input.query).length > 0 ? `?${new URLSearchParams(input.query)}` : "";
    const url = `${endpointUrl(this.baseUrl, input.path, values)}${query}`;
    const answer = await this.bearer.send((token) =>
      sendRequest(
        url,
        {
          method: input.method,
          headers: { authorization: `Bearer ${token}`, accept: "application/json" },
          // fetch sets the multipart content type with its boundary itself.
          body: input.body,
        },
        this.ctx.signal,
      ),
    );
    if (answer.status < 200 || answer.status >= 300) {
      throw classifyApiAnswer(answer, { isAdministrationScoped: input.administrationId !== undefined }, this.now());
    }
    return answer;
  }
}
