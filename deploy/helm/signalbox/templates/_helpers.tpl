{{/* The prefix of every object's name: the release name, or release-chart when the release name lacks "signalbox". */}}
{{- define "signalbox.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Labels of a component's objects; also its selector. Call with (dict "ctx" $ "component" "watcher"). */}}
{{- define "signalbox.labels" -}}
app.kubernetes.io/part-of: signalbox
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "signalbox.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/*
A component's --kafka-config file: kafka.config with the component's kafka.config over it, one line per setting,
sorted, newlines and backslashes escaped (a PEM CA fits on one line). Call with (dict "ctx" $ "component" "watcher").
*/}}
{{- define "signalbox.clientProperties" -}}
{{- $settings := merge (deepCopy (index .ctx.Values .component "kafka" "config")) (deepCopy .ctx.Values.kafka.config) -}}
{{- range $k, $v := $settings }}
{{ $k }}={{ $v | toString | replace "\\" "\\\\" | replace "\n" "\\n" }}
{{- end -}}
{{- end -}}

{{/* The environment every component's container shares: the bootstrap servers, Java options, Kafka secrets. */}}
{{- define "signalbox.env" -}}
{{- $c := index .ctx.Values .component -}}
- name: KAFKA_BOOTSTRAP
  valueFrom:
    configMapKeyRef:
      name: {{ include "signalbox.fullname" .ctx }}-kafka
      key: bootstrap.servers
{{- if $c.kafka.jaasConfigSecret.name }}
# This component's SASL credentials (sasl.jaas.config), never in the ConfigMap.
- name: SIGNALBOX_KAFKA_SASL_JAAS_CONFIG
  valueFrom:
    secretKeyRef:
      name: {{ $c.kafka.jaasConfigSecret.name }}
      key: {{ $c.kafka.jaasConfigSecret.key }}
{{- end }}
- name: SIGNALBOX_JAVA_OPTS
  value: {{ $c.javaOpts | quote }}
{{- with $c.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* The Kafka client settings file and the TLS files, mounted. */}}
{{- define "signalbox.kafkaMounts" -}}
- name: kafka-config
  mountPath: /etc/signalbox/kafka
  readOnly: true
{{- if .Values.kafka.tlsSecret }}
- name: kafka-tls
  mountPath: /etc/signalbox/kafka-tls
  readOnly: true
{{- end }}
{{- end -}}

{{- define "signalbox.kafkaVolumes" -}}
# The component's Kafka client settings (--kafka-config); its secrets come through the environment.
- name: kafka-config
  configMap:
    name: {{ include "signalbox.fullname" .ctx }}-kafka
    items:
      - key: {{ .component }}.properties
        path: client.properties
{{- if .ctx.Values.kafka.tlsSecret }}
- name: kafka-tls
  secret:
    secretName: {{ .ctx.Values.kafka.tlsSecret }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{/* The arguments every component takes for Kafka. */}}
{{- define "signalbox.kafkaArgs" -}}
"--kafka", "$(KAFKA_BOOTSTRAP)", "--kafka-config", "/etc/signalbox/kafka/client.properties"
{{- end -}}

{{/* --no-create-topics unless the chart is told the components may create them. */}}
{{- define "signalbox.topicsArg" -}}
{{- if not .Values.kafka.createTopics }}
                 # The topics are 70-topics.yaml's (Strimzi) or created by hand: a missing one is an error, not created here.
                 "--no-create-topics",
{{- end }}
{{- end -}}
