/** The app's page in Grafana: what the app brings and how to start using it. */
import type { AppRootProps } from "@grafana/data";
import { Alert, LinkButton, Stack, Text } from "@grafana/ui";
import { PLUGIN_ID } from "../contract/index.ts";

export function AppPage(_props: AppRootProps) {
  return (
    <Stack direction="column" gap={2}>
      <Text element="h2">nomnom-live</Text>
      <Text>
        Every row your application inserts into its database, live: the nomnom-live datasource streams the entity tables a nomnom-live backend watches,
        and the Entity stream panel shows them with their totals and insert rates.
      </Text>
      <Alert title="Getting started" severity="info">
        1. Run the backend (<code>npx nomnom-live serve --config nomnom-live.yaml</code>). 2. Add a data source of type <code>nomnom-live</code> ({PLUGIN_ID.datasource})
        with the backend URL. 3. Add an <code>Entity stream</code> panel ({PLUGIN_ID.panel}) — or Grafana&apos;s Table, Stat and Time series panels — with a Live rows query.
      </Alert>
      <Stack gap={1}>
        <LinkButton href={`connections/datasources/new?q=nomnom`} icon="database">
          Add the datasource
        </LinkButton>
        <LinkButton href="dashboard/new" variant="secondary" icon="apps">
          New dashboard
        </LinkButton>
      </Stack>
    </Stack>
  );
}
