"use strict";
/**
 * Entry point of each tesseract.js worker thread. It denies every network primitive before
 * loading tesseract's own worker script, so that the engine can only read the core and the
 * Vietnamese model from local package folders: a misconfigured `langPath` (or a future
 * tesseract.js default) fails loudly with OCR_NETWORK_FORBIDDEN instead of reaching a CDN.
 */
const net = require("node:net");
const tls = require("node:tls");
const http = require("node:http");
const https = require("node:https");
const dns = require("node:dns");

function deny(what) {
  return () => {
    throw new Error(`OCR_NETWORK_FORBIDDEN: the OCR worker must not use the network (${what})`);
  };
}

globalThis.fetch = deny("fetch");
net.connect = deny("net.connect");
net.createConnection = deny("net.createConnection");
net.Socket.prototype.connect = deny("net.Socket.connect");
tls.connect = deny("tls.connect");
http.request = deny("http.request");
http.get = deny("http.get");
https.request = deny("https.request");
https.get = deny("https.get");
dns.lookup = deny("dns.lookup");
dns.resolve = deny("dns.resolve");
dns.promises.lookup = deny("dns.promises.lookup");

// tesseract.js swallows a failed language load or initialisation and leaves the thread idle
// for ever; the pool learns of the failure through tesseract's errorHandler, and the thread
// ends itself here so that nothing is left running.
const { parentPort } = require("node:worker_threads");
const INIT_ACTIONS = new Set(["load", "loadLanguage", "initialize"]);
const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (message, ...rest) => {
  post(message, ...rest);
  if (message && message.status === "reject" && INIT_ACTIONS.has(message.action)) {
    setImmediate(() => process.exit(1));
  }
};

require("tesseract.js/src/worker-script/node/index.js");
