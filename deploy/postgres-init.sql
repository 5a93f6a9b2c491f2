-- Run once by the postgres image on an empty data directory (docker-compose.yml mounts it into
-- /docker-entrypoint-initdb.d/): one database per service, plus the gateway's, owned by POSTGRES_USER.
CREATE DATABASE gateway;
CREATE DATABASE partnerships;
CREATE DATABASE training;
CREATE DATABASE outreach;
CREATE DATABASE publications;
CREATE DATABASE notifications;
