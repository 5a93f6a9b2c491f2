from shared.settings import ServiceSettings, service_config


class PartnershipsSettings(ServiceSettings):
    service_name = "partnerships"
    model_config = service_config("partnerships")
    # How often each replica looks for active agreements whose term has ended.
    expiry_check_seconds: float = 60.0
