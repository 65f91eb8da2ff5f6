// Uploads one sealed packet to the enroll intake with the official tus JavaScript client
// (tus-js-client, in Node), as a station would: the metadata the intake requires
// (schemas/intake-api.md §Upload), every request signed with the station's request key
// (§Signed requests, ./station-signature.mjs), then the receipt fetched with a signed GET.
//
//   ENROLL_REQUEST_KEY_SEED=<64 hex> node upload-with-tus-js-client.mjs \
//     --endpoint http://127.0.0.1:8470/v1/uploads --file R1.envelope \
//     --registration-id R1 --station-id ST-1 --url-storage uploads.json \
//     [--chunk-size BYTES] [--upload-data-during-creation]
//
// Resuming is tus-js-client's own: the upload URL is kept in --url-storage (its FileUrlStorage)
// under the file's fingerprint, so a run that was killed mid-upload is continued by the next
// run with the same storage (findPreviousUploads + resumeFromPreviousUpload: HEAD, then PATCH
// from the intake's offset). The seed comes in the environment, not on the command line, where
// any user of the machine could read it.
//
// Prints one JSON object a line on stdout, for the test that runs it:
//   {"event":"created","url"}            the POST made a new upload
//   {"event":"resumed","url","offset"}   a HEAD found an upload to go on with, at that offset
//   {"event":"chunk","offset","total"}   a PATCH was acknowledged up to offset
//   {"event":"refused","method","status","body"}   an answer of 4xx or 5xx
//   {"event":"retry","error","retry"}    a request failed; whether tus-js-client tries again
//   {"event":"receipt","url","receipt"}  the upload is complete and its receipt was fetched
// and exits 0 after the receipt; on failure it says why on stderr and exits 1.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { defaultOptions, FileUrlStorage, Upload } from 'tus-js-client';

import { requestKeyFromSeed, signRequest } from './station-signature.mjs';

const { values: args } = parseArgs({
  options: {
    endpoint: { type: 'string' },
    file: { type: 'string' },
    'registration-id': { type: 'string' },
    'station-id': { type: 'string' },
    'url-storage': { type: 'string' },
    'chunk-size': { type: 'string' },
    'upload-data-during-creation': { type: 'boolean', default: false },
  },
});
for (const required of ['endpoint', 'file', 'registration-id', 'station-id', 'url-storage']) {
  if (args[required] === undefined) {
    fail(`--${required} is required`);
  }
}

const key = requestKeyFromSeed(process.env.ENROLL_REQUEST_KEY_SEED);
const envelope = await readFile(args.file);
const chunkSize = args['chunk-size'] === undefined ? Number.POSITIVE_INFINITY : Number(args['chunk-size']);

function emit(event) {
  // Synchronous on a pipe (Linux), so a line is out before a kill can land after it.
  process.stdout.write(`${JSON.stringify(event)}\n`);
}

function fail(message) {
  process.stderr.write(`upload-with-tus-js-client: ${message}\n`);
  process.exit(1);
}

/** The value of a header tus-js-client set on `request`, by lower-case name. */
function headerOf(request, name) {
  // tus-js-client keeps headers as set (`Upload-Offset`, `Content-Type`), so try that form first.
  const canonical = name.replace(/(^|-)([a-z])/g, (_, dash, letter) => dash + letter.toUpperCase());
  return request.getHeader(canonical) ?? request.getHeader(name);
}

const upload = new Upload(envelope, {
  endpoint: args.endpoint,
  chunkSize,
  uploadDataDuringCreation: args['upload-data-during-creation'],
  // The intake's metadata (values are base64-encoded by tus-js-client, as tus says), and a
  // file name as common tus clients send one: the intake ignores keys it does not know.
  metadata: {
    registration_id: args['registration-id'],
    station_id: args['station-id'],
    sha256: createHash('sha256').update(envelope).digest('hex'),
    filename: basename(args.file),
  },
  urlStorage: new FileUrlStorage(args['url-storage']),
  removeFingerprintOnSuccess: true,
  retryDelays: [0, 200, 500, 1000, 2000],
  onBeforeRequest(request) {
    const fields = signRequest(key, request.getMethod(), request.getURL(), (name) => headerOf(request, name));
    request.setHeader('Signature-Input', fields.signatureInput);
    request.setHeader('Signature', fields.signature);
  },
  onAfterResponse(request, response) {
    const method = request.getMethod();
    const status = response.getStatus();
    if (status >= 400) {
      emit({ event: 'refused', method, status, body: response.getBody() });
    } else if (method === 'POST' && status === 201) {
      emit({ event: 'created', url: new URL(response.getHeader('Location'), args.endpoint).toString() });
    } else if (method === 'HEAD' && status === 200) {
      emit({ event: 'resumed', url: request.getURL(), offset: Number(response.getHeader('Upload-Offset')) });
    }
  },
  onShouldRetry(error, retryAttempt, options) {
    const retry = defaultOptions.onShouldRetry(error, retryAttempt, options);
    emit({ event: 'retry', error: String(error), retry });
    return retry;
  },
  onChunkComplete(_chunkSize, bytesAccepted, bytesTotal) {
    emit({ event: 'chunk', offset: bytesAccepted, total: bytesTotal });
  },
  onError(error) {
    fail(`the upload failed: ${error}`);
  },
  onSuccess() {
    fetchReceipt(upload.url).catch((error) => fail(`the receipt could not be fetched: ${error}`));
  },
});

async function fetchReceipt(uploadUrl) {
  const url = `${uploadUrl}/receipt`;
  const fields = signRequest(key, 'GET', url, () => undefined);
  const response = await fetch(url, {
    headers: { 'Signature-Input': fields.signatureInput, Signature: fields.signature },
  });
  const body = await response.text();
  if (response.status !== 200) {
    fail(`GET ${url} answered ${response.status}: ${body}`);
  }
  emit({ event: 'receipt', url: uploadUrl, receipt: JSON.parse(body) });
}

const previous = await upload.findPreviousUploads();
if (previous.length > 0) {
  upload.resumeFromPreviousUpload(previous[0]);
}
upload.start();
