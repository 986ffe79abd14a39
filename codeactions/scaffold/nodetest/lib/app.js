'use strict';
// A stand-alone Express app process for the app-restart test. argv[2] is JSON
// { module, url, requests, window }; prints its base URL once listening.

const express = require('express');
const cfg = JSON.parse(process.argv[2]);
const { rateLimit } = require(cfg.module);

const app = express();
app.get('/r', rateLimit({ url: cfg.url, requests: cfg.requests, window: cfg.window }), (req, res) => res.send(String(process.pid)));
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${server.address().port}\n`);
});
// The test holds our stdin; if it dies, the pipe closes and so does this app.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
