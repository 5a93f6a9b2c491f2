"""The scheduled work of the partnerships service, run by every replica beside the API: agreements expiring,
webhook deliveries and their log's retention. Each calls the same use cases as the routers."""
