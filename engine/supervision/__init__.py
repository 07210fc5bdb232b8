"""Electronic supervision (电子监察) beyond raising alerts: an alert's life, 督办, scope, dashboard, reports, scores."""
