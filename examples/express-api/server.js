const express = require('express');
const rateLimit = require('express-rate-limit');

const app = express();

// express-rate-limit without a `store` keeps its counters in memory.
const loginLimiter = rateLimit({ windowMs: 60 * 1000, max: 5 });

const attempts = new Map();

app.post('/api/login', loginLimiter, (req, res) => {
  res.json({ token: '...' });
});

app.post('/api/reset-password', (req, res) => {
  const n = (attempts.get(req.ip) || 0) + 1;
  attempts.set(req.ip, n);
  if (n > 3) {
    return res.status(429).send('Too many attempts');
  }
  res.send('ok');
});

app.get('/api/orders', (req, res) => {
  res.json([]);
});

app.listen(3000);
