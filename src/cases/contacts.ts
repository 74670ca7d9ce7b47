/**
 * The contact directory. A Contact related item is served with the contact's `channel` and
 * `connectedToSystemTime`, which the real service reads from Amazon Connect. No Amazon Connect stands behind
 * opencases, so an operator may load those details from a JSON file (`--contacts FILE`); contacts it does not
 * list get the defaults of docs/related-items.md (channel VOICE, connected at the time of association).
 */
import { readFileSync } from 'node:fs';
import { parseInstant } from './field-values.js';

export interface ContactDetails {
  channel: string;
  /** ISO-8601 instant. */
  connectedToSystemTime: string;
}

export const DEFAULT_CONTACT_CHANNEL = 'VOICE';

/** A Connect contact ARN: arn:aws:connect:{region}:{account}:instance/{instanceId}/contact/{contactId}. */
const CONTACT_ARN = /^arn:aws(?:-[a-z]+)*:connect:[a-z0-9-]+:\d{12}:instance\/[A-Za-z0-9-]+\/contact\/[A-Za-z0-9-]+$/;

export const isContactArn = (s: string) => CONTACT_ARN.test(s);

export class ContactDirectory {
  private constructor(private readonly entries: ReadonlyMap<string, ContactDetails>) {}

  static empty(): ContactDirectory {
    return new ContactDirectory(new Map());
  }

  /**
   * Reads `[{contactArn, channel, connectedToSystemTime}, ...]`. A malformed file stops the server at start
   * with the entry at fault named, rather than serving half of it.
   */
  static fromFile(path: string): ContactDirectory {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new Error(`cannot read the contacts file ${path}: ${(e as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new Error(`the contacts file ${path} must hold a JSON array of {contactArn, channel, connectedToSystemTime}`);
    const entries = new Map<string, ContactDetails>();
    parsed.forEach((entry, i) => {
      const where = `contacts file ${path}, entry ${i}`;
      const { contactArn, channel, connectedToSystemTime } = (entry ?? {}) as Record<string, unknown>;
      if (typeof contactArn !== 'string' || !isContactArn(contactArn)) {
        throw new Error(`${where}: contactArn must be a contact ARN (arn:aws:connect:{region}:{account}:instance/{instanceId}/contact/{contactId})`);
      }
      if (typeof channel !== 'string' || channel.length < 1 || channel.length > 100) {
        throw new Error(`${where}: channel must be a string of 1 to 100 characters, such as VOICE, CHAT, TASK or EMAIL`);
      }
      const time = typeof connectedToSystemTime === 'string' ? parseInstant(connectedToSystemTime) : undefined;
      if (!time) throw new Error(`${where}: connectedToSystemTime must be an ISO-8601 date-time with a time zone`);
      entries.set(contactArn, { channel, connectedToSystemTime: time });
    });
    return new ContactDirectory(entries);
  }

  /** The contact's details, or the defaults for a contact associated at `associationTime`. */
  details(contactArn: string, associationTime: string): ContactDetails {
    return this.entries.get(contactArn) ?? { channel: DEFAULT_CONTACT_CHANNEL, connectedToSystemTime: associationTime };
  }
}
