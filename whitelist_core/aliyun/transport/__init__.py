"""What every Alibaba Cloud API call shares: credentials, signing, sending, retrying,
endpoints, and reading answers defensively. Nothing here knows a product's actions."""
