from shared.settings import ServiceSettings, service_config


class PublicationsSettings(ServiceSettings):
    service_name = "publications"
    model_config = service_config("publications")
