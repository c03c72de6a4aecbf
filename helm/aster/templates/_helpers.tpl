{{/* Names, labels and shared fragments of the ASTER chart. */}}

{{- define "aster.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* "<fullname>-<component>" */}}
{{- define "aster.component" -}}
{{- printf "%s-%s" (include "aster.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "aster.labels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "aster.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "aster.image" -}}
{{- $registry := .root.Values.global.imageRegistry -}}
{{- $tag := .root.Values.global.imageTag | default .root.Chart.AppVersion -}}
{{- if $registry -}}{{ printf "%s/%s:%s" $registry .image.repository $tag }}{{- else -}}{{ printf "%s:%s" .image.repository $tag }}{{- end -}}
{{- end -}}

{{- define "aster.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "aster.fullname" .)) -}}
{{- end -}}

{{- define "aster.kafkaBootstrap" -}}
{{- if .Values.kafka.enabled -}}
{{- printf "%s:9092" (include "aster.component" (dict "root" . "name" "kafka")) -}}
{{- else -}}
{{- required "kafka.external.bootstrapServers is required when kafka.enabled=false" .Values.kafka.external.bootstrapServers -}}
{{- end -}}
{{- end -}}

{{- define "aster.jdbcUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- printf "jdbc:postgresql://%s:5432/%s" (include "aster.component" (dict "root" . "name" "postgresql")) .Values.postgresql.database -}}
{{- else -}}
{{- $pg := .Values.postgresql.external -}}
{{- printf "jdbc:postgresql://%s:%v/%s?sslmode=%s" (required "postgresql.external.host is required when postgresql.enabled=false" $pg.host) $pg.port $pg.database $pg.sslmode -}}
{{- end -}}
{{- end -}}

{{- define "aster.url" -}}
{{- printf "http://%s:%v" (include "aster.component" (dict "root" .root "name" .name)) .port -}}
{{- end -}}

{{/* Env shared by every ASTER service: internal token, listen on the pod address, OpenTelemetry. */}}
{{- define "aster.commonEnv" -}}
- name: ASTER_INTERNAL_TOKEN
  valueFrom:
    secretKeyRef:
      name: {{ include "aster.secretName" . }}
      key: internal-token
- name: QUARKUS_HTTP_HOST
  value: 0.0.0.0
{{- if .Values.otel.endpoint }}
- name: QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ .Values.otel.endpoint | quote }}
{{- else }}
- name: QUARKUS_OTEL_SDK_DISABLED
  value: "true"
{{- end }}
{{- end -}}

{{/* Probes on Quarkus SmallRye Health. */}}
{{- define "aster.probes" -}}
livenessProbe:
  httpGet: {path: /q/health/live, port: http}
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /q/health/ready, port: http}
  periodSeconds: 5
  failureThreshold: 3
{{- end -}}

{{- define "aster.podDefaults" -}}
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* A Secret value: given in values, else generated. */}}
{{- define "aster.secretValue" -}}
{{- if .given -}}{{ .given | b64enc }}{{- else -}}{{ randAlphaNum 40 | b64enc }}{{- end -}}
{{- end -}}

{{/* A NetworkPolicy peer: the pods of one component of this release. */}}
{{- define "aster.peer" -}}
- podSelector:
    matchLabels:
      {{- include "aster.selectorLabels" . | nindent 6 }}
{{- end -}}
