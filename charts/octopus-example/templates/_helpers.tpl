{{- define "octopus-example.name" -}}
{{- default .Release.Name .Values.cluster.name | trunc 40 | trimSuffix "-" }}
{{- end }}

{{- define "octopus-example.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: octopus-ha
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "octopus-example.postgres" -}}
{{- include "octopus-example.name" . }}-postgres
{{- end }}

{{- define "octopus-example.sharedClaim" -}}
{{- if .Values.sharedStorage.existingClaim }}
{{- .Values.sharedStorage.existingClaim }}
{{- else if .Values.sharedStorage.hostPath.enabled }}
{{- include "octopus-example.name" . }}-shared-hostpath
{{- end }}
{{- end }}
