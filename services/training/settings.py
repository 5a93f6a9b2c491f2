from shared.settings import ServiceSettings, service_config


class TrainingSettings(ServiceSettings):
    service_name = "training"
    model_config = service_config("training")
