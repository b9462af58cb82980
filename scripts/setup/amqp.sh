#!/usr/bin/env bash
# The AMQP monitor's real components: Qpid Proton C (client library) and the RabbitMQ broker with
# its AMQP 1.0 plugin enabled offline; resource-agents for a real OCF agent (Dummy) in the tests.
# Nothing is started here: tests start private brokers and
# stop them by PID; Debian's postinst cannot start one without systemd as PID 1.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_root
apt_install pkg-config libqpid-proton11-dev rabbitmq-server resource-agents
rabbitmq-plugins --offline enable rabbitmq_amqp1_0 >/dev/null
