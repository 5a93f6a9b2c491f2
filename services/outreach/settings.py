from shared.settings import ServiceSettings, service_config


class OutreachSettings(ServiceSettings):
    service_name = "outreach"
    model_config = service_config("outreach")
