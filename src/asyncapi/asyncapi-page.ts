import type { JsonSchema } from '../protocol/json-schema.js';
import type { AsyncApiDocument } from './asyncapi-document.js';

interface Message {
  name: string;
  summary?: string;
  payload: { properties: { data: JsonSchema } };
}

interface Operation {
  action: 'send' | 'receive';
  messages: { $ref: string }[];
  reply?: { messages: { $ref: string }[] };
}

/** The stylesheet of the contract page, served beside it (the CSP allows no inline style). */
export const CONTRACT_PAGE_CSS = `body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
table{border-collapse:collapse;width:100%;margin:0 0 2rem}th,td{border:1px solid #d5d9e0;padding:.4rem .6rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}code{font:13px ui-monospace,monospace;background:#f3f5f8;padding:0 .2rem}ul{margin:0;padding-left:1.1rem}`;

/**
 * The document as a plain HTML page, rendered on the server from the same document `/asyncapi.json`
 * serves: events with their fields and replies, error codes and close codes. No script, no inline style.
 */
export function renderContractPage(document: AsyncApiDocument): string {
  const info = document.info as { title: string; version: string; description: string };
  const components = document.components as { messages: Record<string, Message> };
  const operations = Object.values(document.operations as Record<string, Operation>);
  const server = Object.values(
    document.servers as Record<
      string,
      { protocol: string; description: string; variables: { host: { default: string } } }
    >,
  )[0];
  const messageOf = (ref: string) => components.messages[ref.slice(ref.lastIndexOf('/') + 1)];
  const seen = new Set<string>();
  const clientRows: string[] = [];
  const serverRows: string[] = [];
  for (const operation of operations) {
    const sent = messageOf(operation.messages[0].$ref);
    const key = `${operation.action} ${sent.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const cells = [
      `<code>${escape(sent.name)}</code>`,
      inline(sent.summary ?? ''),
      fields(sent.payload.properties.data),
    ];
    if (operation.action === 'receive') {
      const replies = (operation.reply?.messages ?? []).map(
        (reply) => `<code>${escape(messageOf(reply.$ref).name)}</code>`,
      );
      clientRows.push(row([...cells, replies.join(' or ')]));
    } else {
      serverRows.push(row(cells));
    }
  }
  const errorCodes = (components.messages['server.error']?.payload.properties.data.properties?.code
    ?.oneOf ?? []) as JsonSchema[];
  const closeCodes = document['x-close-codes'] as { code: number; meaning: string }[];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(info.title)} wire contract</title>
<link rel="stylesheet" href="/asyncapi.css">
</head>
<body>
<h1>${escape(info.title)} wire contract, version ${escape(info.version)}</h1>
<p>${inline(info.description)}</p>
<p>Machine-readable: <a href="/asyncapi.json">/asyncapi.json</a> (AsyncAPI ${escape(String(document.asyncapi))}).
Connect with <code>${escape(server.protocol)}://${escape(server.variables.host.default)}/</code>. ${inline(server.description)}</p>
<h2>Client events</h2>
<table>
<thead><tr><th>event</th><th>what it does</th><th>data</th><th>answered with</th></tr></thead>
<tbody>
${clientRows.join('\n')}
</tbody>
</table>
<h2>Server events</h2>
<table>
<thead><tr><th>event</th><th>what it means</th><th>data</th></tr></thead>
<tbody>
${serverRows.join('\n')}
</tbody>
</table>
<h2>Error codes</h2>
<table>
<thead><tr><th><code>error.code</code></th><th>when, and what to do</th></tr></thead>
<tbody>
${errorCodes.map((code) => row([`<code>${escape(String(code.const))}</code>`, inline(code.description ?? '')])).join('\n')}
</tbody>
</table>
<h2>Close codes</h2>
<table>
<thead><tr><th>code</th><th>when, and whether to reconnect</th></tr></thead>
<tbody>
${closeCodes.map(({ code, meaning }) => row([String(code), inline(meaning)])).join('\n')}
</tbody>
</table>
</body>
</html>
`;
}

function row(cells: string[]): string {
  return `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
}

/** A `data` schema as a list of its fields: name, type and constraints, `?` on the optional ones. */
function fields(schema: JsonSchema): string {
  if (schema.oneOf) {
    return schema.oneOf.map((branch) => fields(branch)).join('<p>or</p>');
  }
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length === 0) return schema.title ? escape(schema.title) : '';
  const required = new Set(schema.required ?? []);
  const items = properties.map(
    ([name, property]) =>
      `<li><code>${escape(name)}${required.has(name) ? '' : '?'}</code> ${inline(describe(property))}</li>`,
  );
  return `<ul>${items.join('')}</ul>`;
}

/** A property's type and constraints in a few words (`string, 1-64 chars`, `User[]`), code spans in backquotes. */
function describe(schema: JsonSchema): string {
  if (schema.title) return schema.title;
  if (schema.type === 'array') return `${schema.items ? describe(schema.items) : 'any'}[]`;
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (schema.enum) return schema.enum.map((value) => JSON.stringify(value)).join(' | ');
  if (schema.oneOf) return schema.oneOf.map(describe).join(' | ');
  const facts = [schema.type ?? 'any'];
  if (schema.maxLength !== undefined) {
    facts.push(`${schema.minLength ?? 0}-${schema.maxLength} chars`);
  } else if (schema.minLength !== undefined) {
    facts.push(`at least ${schema.minLength} chars`);
  }
  if (schema.minimum !== undefined && schema.maximum !== undefined) {
    facts.push(`${schema.minimum} to ${schema.maximum}`);
  } else if (schema.minimum !== undefined) {
    facts.push(`at least ${schema.minimum}`);
  } else if (schema.maximum !== undefined) {
    facts.push(`at most ${schema.maximum}`);
  }
  if (schema.pattern) facts.push(`matching \`${schema.pattern}\``);
  if (schema.description) facts.push(`(${schema.description})`);
  return facts.join(', ');
}

/** Text with its `code spans` set as <code>, everything escaped. */
function inline(text: string): string {
  return escape(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );
}
