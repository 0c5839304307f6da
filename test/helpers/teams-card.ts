/** One element of an Adaptive Card, as tests read it. */
export interface CardElement {
  type: string;
  text?: string;
  style?: string;
  weight?: string;
  items?: CardElement[];
  facts?: Array<{ title: string; value: string }>;
  [key: string]: unknown;
}

/** An Adaptive Card as the bridge sends it, as tests read it. */
export interface CardJson {
  type: 'AdaptiveCard';
  version: string;
  body: CardElement[];
  actions?: Array<{ type: string; title: string; url: string }>;
  fallbackText?: string;
  msteams?: { entities?: Array<Record<string, unknown>>; width?: string };
  [key: string]: unknown;
}

/** A message activity (to the Bot Connector or a Workflows URL) carrying one card. */
export interface SentActivity {
  type: string;
  summary?: string;
  replyToId?: string;
  attachments: Array<{ contentType: string; contentUrl?: unknown; content: CardJson }>;
}
