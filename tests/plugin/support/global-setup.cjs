// jest globalSetup: the manifest test inspects dist/, so make sure it is built.
module.exports = async () => {
  const { ensureBuilt } = await import("../../../.config/ensure-built.mjs");
  ensureBuilt();
};
