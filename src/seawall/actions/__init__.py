"""Actions: apply decisions — strike ledger, review routing, DSA statements, webhooks."""
