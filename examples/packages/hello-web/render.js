// The render program: a pure function of the install's values (defaults applied). It runs in an
// isolate without network, clock or randomness, so the same values always give the same manifests.
export default function render(input, ctx) {
  const labels = { 'app.kubernetes.io/name': input.name, 'app.kubernetes.io/instance': ctx.install.id };
  return [
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${input.name}-content`, labels },
      data: { 'index.html': `<h1>${input.greeting}</h1>\n` },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: input.name, labels },
      spec: {
        replicas: input.replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name: 'web',
                image: input.image,
                ports: [{ containerPort: 8080 }],
                volumeMounts: [{ name: 'content', mountPath: '/usr/share/nginx/html' }],
              },
            ],
            volumes: [{ name: 'content', configMap: { name: `${input.name}-content` } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: input.name, labels },
      spec: { selector: labels, ports: [{ port: 80, targetPort: 8080 }] },
    },
  ];
}
