/**
 * Helm chart fixtures for tests and benches: a chart directory written from code, with a chosen number of
 * Kubernetes objects built the way real charts build them (values, `_helpers.tpl` includes, `tpl`, a
 * `range` loop, a multi-document template, `.Release.*`, an optional draft-07 values.schema.json), and the
 * helm CLI steps around it (package, push to an OCI registry, template) run by the real helm in an isolated
 * environment (src/testing/helm-cli.ts), so tests can compare Atoll's render with helm's own.
 *
 * Object count: `helm template` with the chart's default values prints exactly `objects` objects: six fixed
 * ones (ServiceAccount, Secret, Service, Deployment, and a Role and RoleBinding in one `---` separated
 * file) plus `objects - 6` ConfigMaps from the loop. The CRD in `crds/` is NOT counted: helm installs
 * crds/ but `helm template` leaves it out unless `--include-crds` (then `objects + 1`).
 *
 * Versions differ in output: every object carries `helm.sh/chart: <name>-<version>` and the image tag
 * defaults to appVersion (the version unless given), as `helm create` charts do; the count stays `objects`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';

export { helmPackage, helmPush, helmTemplate, HelmCommandError } from './helm-cli.ts';

/** The objects a chart renders besides its ConfigMaps; `objects` may not be lower. */
export const FIXED_OBJECTS = 6;

export type ChartOptions = {
  name: string;
  version: string;
  /** How many objects `helm template` prints with the default values (at least FIXED_OBJECTS). */
  objects: number;
  /** Whether to include values.schema.json (draft-07, with required fields, types and nested objects). */
  schema: boolean;
  /** Chart.yaml appVersion and the default image tag; the chart version when not given. */
  appVersion?: string;
};

/** The files of a Helm chart directory, relative path → content (see the header for what it renders). */
export function chartFiles(opts: ChartOptions): Record<string, string> {
  if (!Number.isInteger(opts.objects) || opts.objects < FIXED_OBJECTS) {
    throw new RangeError(`a fixture chart renders at least ${FIXED_OBJECTS} objects, not ${opts.objects}`);
  }
  const n = opts.name;
  const files: Record<string, string> = {
    'Chart.yaml': [
      'apiVersion: v2',
      `name: ${n}`,
      `description: An Atoll fixture chart rendering ${opts.objects} objects`,
      'type: application',
      `version: ${opts.version}`,
      `appVersion: ${JSON.stringify(opts.appVersion ?? opts.version)}`,
      '',
    ].join('\n'),
    'values.yaml': values(opts.objects - FIXED_OBJECTS),
    '.helmignore': '.git/\n*.swp\n*.bak\n',
    'templates/_helpers.tpl': helpers(n),
    'templates/NOTES.txt': `{{ include "${n}.fullname" . }} is installed in {{ .Release.Namespace }}.\n`,
    'templates/serviceaccount.yaml': serviceAccount(n),
    'templates/secret.yaml': secret(n),
    'templates/service.yaml': service(n),
    'templates/deployment.yaml': deployment(n),
    'templates/rbac.yaml': rbac(n),
    'templates/configmaps.yaml': configMaps(n),
    'crds/widgets.yaml': CRD,
  };
  if (opts.schema) files['values.schema.json'] = `${JSON.stringify(SCHEMA, null, 2)}\n`;
  return files;
}

/** Writes `files` (from chartFiles) under `dir`, creating directories as needed. */
export async function writeChart(dir: string, files: Record<string, string>): Promise<void> {
  for (const [name, content] of Object.entries(files)) {
    const file = path.join(dir, name);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, content);
  }
}

function values(configMaps: number): string {
  return `# Default values of the Atoll fixture chart.
replicaCount: 2
image:
  repository: registry.example.com/atoll/web
  # Defaults to the chart's appVersion.
  tag: ""
  pullPolicy: IfNotPresent
service:
  type: ClusterIP
  port: 8080
env:
  - name: LOG_LEVEL
    value: info
  - name: FEATURE_FLAGS
    value: "a,b"
labels:
  team: platform
  tier: web
secret:
  password: s3cr3t
rbac:
  verbs: [get, list, watch]
configMaps:
  count: ${configMaps}
  greeting: "hello from {{ .Release.Name }} in {{ .Release.Namespace }}"
  data:
    colour: blue
    size: medium
`;
}

function helpers(n: string): string {
  return `{{/* Chart name, at most 63 characters. */}}
{{- define "${n}.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-qualified name. */}}
{{- define "${n}.fullname" -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "${n}.selectorLabels" -}}
app.kubernetes.io/name: {{ include "${n}.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "${n}.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "${n}.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- range $key, $value := .Values.labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{- define "${n}.metadata" -}}
namespace: {{ .Release.Namespace }}
labels:
  {{- include "${n}.labels" . | nindent 2 }}
{{- end }}
`;
}

function serviceAccount(n: string): string {
  return `apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
automountServiceAccountToken: false
`;
}

function secret(n: string): string {
  return `apiVersion: v1
kind: Secret
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
type: Opaque
data:
  password: {{ .Values.secret.password | b64enc | quote }}
`;
}

function service(n: string): string {
  return `apiVersion: v1
kind: Service
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
  selector:
    {{- include "${n}.selectorLabels" . | nindent 4 }}
`;
}

function deployment(n: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "${n}.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "${n}.selectorLabels" . | nindent 8 }}
      annotations:
        checksum/config: {{ include (print $.Template.BasePath "/configmaps.yaml") . | sha256sum }}
    spec:
      serviceAccountName: {{ include "${n}.fullname" . }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
          {{- with .Values.env }}
          env:
            {{- toYaml . | nindent 12 }}
          {{- end }}
          envFrom:
            - secretRef:
                name: {{ include "${n}.fullname" . }}
`;
}

function rbac(n: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
rules:
  - apiGroups: [""]
    resources: [configmaps, secrets]
    verbs: {{ toJson .Values.rbac.verbs }}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {{ include "${n}.fullname" . }}
  {{- include "${n}.metadata" . | nindent 2 }}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {{ include "${n}.fullname" . }}
subjects:
  - kind: ServiceAccount
    name: {{ include "${n}.fullname" . }}
    namespace: {{ .Release.Namespace }}
`;
}

function configMaps(n: string): string {
  return `{{- range $i := until (int .Values.configMaps.count) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "${n}.fullname" $ }}-{{ $i }}
  {{- include "${n}.metadata" $ | nindent 2 }}
data:
  index: {{ $i | quote }}
  greeting: {{ tpl $.Values.configMaps.greeting $ | quote }}
  {{- range $key, $value := $.Values.configMaps.data }}
  {{ $key }}: {{ $value | quote }}
  {{- end }}
{{- end }}
`;
}

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.fixtures.atoll.dev
spec:
  group: fixtures.atoll.dev
  names:
    kind: Widget
    listKind: WidgetList
    plural: widgets
    singular: widget
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                size:
                  type: integer
`;

const SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Values of the Atoll fixture chart',
  type: 'object',
  required: ['replicaCount', 'image', 'service'],
  properties: {
    replicaCount: { type: 'integer', minimum: 0 },
    image: {
      type: 'object',
      required: ['repository'],
      properties: {
        repository: { type: 'string', minLength: 1 },
        tag: { type: 'string' },
        pullPolicy: { type: 'string', enum: ['Always', 'IfNotPresent', 'Never'] },
      },
    },
    service: {
      type: 'object',
      required: ['port'],
      properties: {
        type: { type: 'string', enum: ['ClusterIP', 'NodePort', 'LoadBalancer'] },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
      },
    },
    env: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'value'],
        properties: { name: { type: 'string' }, value: { type: 'string' } },
      },
    },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    secret: { type: 'object', properties: { password: { type: 'string' } } },
    rbac: { type: 'object', properties: { verbs: { type: 'array', items: { type: 'string' } } } },
    configMaps: {
      type: 'object',
      properties: {
        count: { type: 'integer', minimum: 0 },
        greeting: { type: 'string' },
        data: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
  },
};
