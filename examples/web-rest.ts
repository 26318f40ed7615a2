/**
 * A small REST service on twisted.web: a Resource tree holding a list of notes as JSON.
 *
 *   node examples/web-rest.ts [--port 8080] [--interface 127.0.0.1] [--requests N]
 *
 *   GET    /notes          the list               POST /notes      {"text": "..."} → 201
 *   GET    /notes/<id>     one note (404 if none)  PUT  /notes/<id> {"text": "..."}
 *   DELETE /notes/<id>     204                     GET  /          a short description
 *
 * It serves until SIGINT/SIGTERM, or until it has answered `--requests` requests. Try it with
 * `curl -X POST -d '{"text":"hi"}' http://127.0.0.1:8080/notes`.
 */
import {
  Data,
  NoResource,
  reactor,
  Resource,
  Site,
  type HTTPRequest,
  type IResource,
  type Request,
} from 'twisted-ts';
import { numberOption, parseCommandLine } from './lib/command-line.ts';

const USAGE = `
usage: node examples/web-rest.ts [--port 8080] [--interface 127.0.0.1] [--requests N]

A small REST service on twisted.web: notes as JSON under /notes (GET, POST, PUT, DELETE).
It serves until Ctrl-C, or stops once it has answered --requests requests.
`;

const { values } = parseCommandLine(USAGE, {
  options: {
    port: { type: 'string', default: '8080' },
    interface: { type: 'string', default: '127.0.0.1' },
    requests: { type: 'string' },
  },
});
const portNumber = numberOption(USAGE, 'port', values.port);
const requestLimit =
  values.requests === undefined ? Infinity : numberOption(USAGE, 'requests', values.requests);

interface Note {
  id: number;
  text: string;
}

const notes = new Map<number, Note>();
let nextId = 1;

function json(request: Request, code: number, value: unknown): string {
  request.setResponseCode(code);
  request.setHeader('content-type', 'application/json');
  return `${JSON.stringify(value)}\n`;
}

/** The text of a JSON body `{"text": "..."}`, or undefined when the body is not that. */
function textOf(request: Request): string | undefined {
  try {
    const body = JSON.parse(request.content.read().toString('utf8')) as { text?: unknown };
    return typeof body.text === 'string' ? body.text : undefined;
  } catch {
    return undefined;
  }
}

/** /notes/<id>: a leaf made for each id by NotesResource.getChild. */
class NoteResource extends Resource {
  override isLeaf = true;
  readonly note: Note;
  constructor(note: Note) {
    super();
    this.note = note;
  }
  render_GET(request: Request): string {
    return json(request, 200, this.note);
  }
  render_PUT(request: Request): string {
    const text = textOf(request);
    if (text === undefined) return json(request, 400, { error: 'expected {"text": "..."}' });
    this.note.text = text;
    return json(request, 200, this.note);
  }
  render_DELETE(request: Request): string {
    notes.delete(this.note.id);
    request.setResponseCode(204);
    return '';
  }
}

/** /notes: the list, and the parent of each note. */
class NotesResource extends Resource {
  render_GET(request: Request): string {
    return json(request, 200, [...notes.values()]);
  }
  render_POST(request: Request): string {
    const text = textOf(request);
    if (text === undefined) return json(request, 400, { error: 'expected {"text": "..."}' });
    const note = { id: nextId++, text };
    notes.set(note.id, note);
    request.setHeader('location', `/notes/${note.id}`);
    return json(request, 201, note);
  }
  override getChild(path: Buffer): IResource {
    const note = notes.get(Number(path.toString()));
    return note === undefined ? new NoResource('No such note.') : new NoteResource(note);
  }
}

/** Stops the reactor after `limit` answered requests (when given), counting through the access log. */
class CountingSite extends Site {
  answered = 0;
  limit = requestLimit;
  override log(request: HTTPRequest): void {
    super.log(request);
    console.log(`${request.method} ${request.uri} -> ${request.code}`);
    if (++this.answered >= this.limit) reactor.stop();
  }
}

const root = new Resource();
root.putChild('', new Data('A notes service: GET/POST /notes, GET/PUT/DELETE /notes/<id>\n', 'text/plain'));
root.putChild('notes', new NotesResource());

const port = reactor.listenTCP(portNumber, new CountingSite(root), { interface: values.interface });
console.log(`notes service on http://${port.getHost().host}:${port.getHost().port}/`);
void reactor.run().then(() => console.log('stopped'));
