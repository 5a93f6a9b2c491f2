"""The scheduled work of the partnerships service, run by every replica beside the API. Each job calls the same
use cases as the routers."""
