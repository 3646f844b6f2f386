// Stylesheets imported by components are irrelevant to tests.
module.exports = new Proxy({}, { get: (_t, key) => (key === "__esModule" ? false : String(key)) });
