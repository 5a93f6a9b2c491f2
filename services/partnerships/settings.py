from shared.settings import ServiceSettings, service_config


class PartnershipsSettings(ServiceSettings):
    service_name = "partnerships"
    model_config = service_config("partnerships")
