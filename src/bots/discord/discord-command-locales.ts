import { Locale, type LocalizationMap } from 'discord.js';

/** The locales `/design` speaks besides English (Discord falls back to the English names for the rest). */
export const commandLocales = ['de', 'fr', 'es', 'ja'] as const;
export type CommandLocale = (typeof commandLocales)[number];

/** Discord has two Spanish locales (Spain, Latin America); both get the one Spanish wording. */
const discordLocalesOf: Record<CommandLocale, readonly Locale[]> = {
  de: [Locale.German],
  fr: [Locale.French],
  es: [Locale.SpanishES, Locale.SpanishLATAM],
  ja: [Locale.Japanese],
};

/** One name (or choice label) and description per locale; a choice has no description. */
export type Wording = { name: string; description?: string };
type Translations = Record<CommandLocale, Wording>;

/**
 * Every localised part of `/design`, keyed by its path of English names (`design.create.prompt`;
 * a choice is `...requesters_approve=yes`). Interactions always carry the English names, so only what
 * people read changes. The test checks each against Discord's rules and that none is missing.
 */
export const commandTranslations: Record<string, Translations> = {
  design: {
    de: {
      name: 'design',
      description: 'Ein Produkt mit KI entwerfen: erst die Vorderansicht, dann vier weitere',
    },
    fr: {
      name: 'design',
      description: "Concevoir un produit avec l'IA : la vue de face, puis quatre autres vues",
    },
    es: {
      name: 'diseño',
      description: 'Diseña un producto con IA: primero la vista frontal, luego cuatro más',
    },
    ja: { name: 'デザイン', description: 'AIで製品をデザイン：まず正面図、続いて4つのビュー' },
  },
  'design.create': {
    de: { name: 'erstellen', description: 'Einen Entwurf aus einer Beschreibung beginnen' },
    fr: { name: 'créer', description: "Lancer un design à partir d'une description" },
    es: { name: 'crear', description: 'Empieza un diseño a partir de una descripción' },
    ja: { name: '作成', description: '説明からデザインを始める' },
  },
  'design.create.prompt': {
    de: {
      name: 'beschreibung',
      description: 'Was entworfen werden soll, z. B. kabellose Kopfhörer in Mattschwarz',
    },
    fr: { name: 'description', description: 'Quoi concevoir, p. ex. un casque sans fil noir mat' },
    es: { name: 'descripción', description: 'Qué diseñar, p. ej. auriculares inalámbricos en negro mate' },
    ja: { name: '説明', description: 'デザインするもの（例：マットブラックのワイヤレスヘッドホン）' },
  },
  'design.create.image': {
    de: {
      name: 'bild',
      description: 'Eine Skizze oder ein Foto als Ausgangspunkt (PNG, JPEG, WebP, bis 10 MB)',
    },
    fr: { name: 'image', description: 'Un croquis ou une photo de départ (PNG, JPEG ou WebP, 10 Mo max.)' },
    es: { name: 'imagen', description: 'Un boceto o una foto de partida (PNG, JPEG o WebP, hasta 10 MB)' },
    ja: { name: '画像', description: '元にするスケッチや写真（PNG・JPEG・WebP、10MBまで）' },
  },
  'design.create.candidates': {
    de: {
      name: 'varianten',
      description: 'Vorderansichten zur Auswahl je Runde (jede weitere kostet eine Änderung)',
    },
    fr: {
      name: 'variantes',
      description: 'Vues de face au choix à chaque tour (chacune en plus coûte une retouche)',
    },
    es: {
      name: 'variantes',
      description: 'Vistas frontales para elegir en cada ronda (cada extra cuesta un cambio)',
    },
    ja: { name: '候補数', description: '各回で選べる正面図の数（追加1枚ごとに編集1回分）' },
  },
  'design.settings.candidates_default': {
    de: {
      name: 'varianten_standard',
      description: 'Vorderansichten, die ein Entwurf zieht, wenn niemand etwas angibt',
    },
    fr: { name: 'variantes_defaut', description: "Vues de face qu'un design dessine sauf demande contraire" },
    es: {
      name: 'variantes_defecto',
      description: 'Vistas frontales que dibuja un diseño si no se pide otra cosa',
    },
    ja: { name: '候補数_既定', description: '指定がないときに描く正面図の数' },
  },
  'design.settings.candidates_max': {
    de: {
      name: 'varianten_max',
      description: 'Die meisten Vorderansichten, die ein Mitglied verlangen darf',
    },
    fr: { name: 'variantes_max', description: "Le plus de vues de face qu'un membre peut demander" },
    es: { name: 'variantes_max', description: 'El máximo de vistas frontales que puede pedir un miembro' },
    ja: { name: '候補数_上限', description: 'メンバーが求められる正面図の最大数' },
  },
  'design.settings.thread_replies': {
    de: {
      name: 'antworten_im_thread',
      description: 'Antworten im Thread einer Karte als Änderungswunsch nehmen',
    },
    fr: {
      name: 'reponses_fil',
      description: "Prendre les réponses dans le fil d'une carte comme demande de changement",
    },
    es: {
      name: 'respuestas_hilo',
      description: 'Tomar las respuestas en el hilo de una tarjeta como petición de cambios',
    },
    ja: { name: 'スレッド返信', description: 'カードのスレッドへの返信を変更依頼として受け取る' },
  },
  'design.credits': {
    de: { name: 'guthaben', description: 'Dein Guthaben und die letzten Buchungen' },
    fr: { name: 'crédits', description: 'Vos crédits et les dernières opérations' },
    es: { name: 'créditos', description: 'Tus créditos y los últimos movimientos' },
    ja: { name: 'クレジット', description: 'あなたのクレジットと最近の履歴' },
  },
  'design.history': {
    de: { name: 'verlauf', description: 'Deine letzten Entwürfe, mit Links' },
    fr: { name: 'historique', description: 'Vos designs récents, avec des liens' },
    es: { name: 'historial', description: 'Tus diseños recientes, con enlaces' },
    ja: { name: '履歴', description: '最近のデザインとリンク' },
  },
  'design.history.design': {
    de: { name: 'entwurf', description: 'Einen deiner Entwürfe im Detail zeigen' },
    fr: { name: 'design', description: "Afficher l'un de vos designs en détail" },
    es: { name: 'diseño', description: 'Muestra uno de tus diseños en detalle' },
    ja: { name: 'デザイン', description: 'デザインの1つを詳しく表示' },
  },
  'design.pending': {
    de: {
      name: 'offen',
      description: 'Was auf deine Freigabe wartet, mit Freigeben und Ablehnen (nur für dich)',
    },
    fr: {
      name: 'en_attente',
      description: 'Ce qui attend votre approbation, avec Approuver et Refuser (vous seul)',
    },
    es: {
      name: 'pendientes',
      description: 'Lo que espera tu aprobación, con Aprobar y Rechazar (solo tú lo ves)',
    },
    ja: {
      name: '承認待ち',
      description: 'あなたの承認を待つデザイン（承認・却下ボタン付き、あなただけに表示）',
    },
  },
  'design.help': {
    de: { name: 'hilfe', description: 'So funktioniert Facet' },
    fr: { name: 'aide', description: 'Comment fonctionne Facet' },
    es: { name: 'ayuda', description: 'Cómo funciona Facet' },
    ja: { name: 'ヘルプ', description: 'Facetの使い方' },
  },
  'design.grant': {
    de: { name: 'gutschreiben', description: 'Einem Mitglied Guthaben geben (Server verwalten)' },
    fr: { name: 'accorder', description: 'Donner des crédits à un membre (Gérer le serveur)' },
    es: { name: 'otorgar', description: 'Da créditos a un miembro (Gestionar servidor)' },
    ja: { name: '付与', description: 'メンバーにクレジットを付与（サーバー管理）' },
  },
  'design.grant.user': {
    de: { name: 'mitglied', description: 'Wer sie erhält' },
    fr: { name: 'membre', description: 'Qui les reçoit' },
    es: { name: 'miembro', description: 'Quién los recibe' },
    ja: { name: 'メンバー', description: '受け取る人' },
  },
  'design.grant.amount': {
    de: { name: 'anzahl', description: 'Wie viele Guthabenpunkte' },
    fr: { name: 'nombre', description: 'Combien de crédits' },
    es: { name: 'cantidad', description: 'Cuántos créditos' },
    ja: { name: '数', description: '付与するクレジット数' },
  },
  'design.settings': {
    de: {
      name: 'einstellungen',
      description: 'Wer freigibt und was Entwürfe kosten (Server verwalten); ohne Optionen: anzeigen',
    },
    fr: {
      name: 'réglages',
      description: 'Qui approuve et le prix des designs (Gérer le serveur) ; sans option : les voir',
    },
    es: {
      name: 'ajustes',
      description: 'Quién aprueba y cuánto cuestan (Gestionar servidor); sin opciones: verlos',
    },
    ja: { name: '設定', description: '承認者とデザインの価格（サーバー管理）。オプションなしで表示' },
  },
  'design.settings.approver_role': {
    de: {
      name: 'freigabe_rolle',
      description: 'Nur Mitglieder mit dieser Rolle (und Verwalter) geben Entwürfe frei',
    },
    fr: {
      name: 'rôle_approbateur',
      description: 'Seuls les membres avec ce rôle (et les gérants) approuvent',
    },
    es: {
      name: 'rol_aprobador',
      description: 'Solo los miembros con este rol (y los gestores) aprueban diseños',
    },
    ja: { name: '承認ロール', description: 'このロールのメンバー（と管理者）だけが承認できる' },
  },
  'design.settings.clear_approver': {
    de: { name: 'freigabe_entfernen', description: 'Antragsteller geben ihre Entwürfe wieder selbst frei' },
    fr: {
      name: 'retirer_approbateur',
      description: 'Les demandeurs approuvent à nouveau leurs propres designs',
    },
    es: { name: 'quitar_aprobador', description: 'Los solicitantes vuelven a aprobar sus propios diseños' },
    ja: { name: '承認ロール解除', description: '依頼者が自分のデザインを再び承認できるようにする' },
  },
  'design.settings.requesters_approve': {
    de: {
      name: 'eigene_freigabe',
      description: 'Dürfen Antragsteller eigene Entwürfe freigeben? (Standard: nur ohne Rolle)',
    },
    fr: {
      name: 'auto_approbation',
      description: 'Les demandeurs approuvent-ils leurs designs ? (défaut : sans rôle seulement)',
    },
    es: {
      name: 'autoaprobación',
      description: '¿Aprueban los solicitantes sus diseños? (por defecto: solo sin rol)',
    },
    ja: {
      name: '自己承認',
      description: '依頼者が自分のデザインを承認できるか（既定：ロールがない場合のみ）',
    },
  },
  'design.settings.requesters_approve=yes': {
    de: { name: 'ja' },
    fr: { name: 'oui' },
    es: { name: 'sí' },
    ja: { name: 'はい' },
  },
  'design.settings.requesters_approve=no': {
    de: { name: 'nein: eine freigebende Person muss' },
    fr: { name: 'non : un approbateur doit le faire' },
    es: { name: 'no: debe aprobar un aprobador' },
    ja: { name: 'いいえ：承認者が承認する' },
  },
  'design.settings.requesters_approve=default': {
    de: { name: 'Standard' },
    fr: { name: 'par défaut' },
    es: { name: 'predeterminado' },
    ja: { name: '既定' },
  },
  'design.settings.price_design': {
    de: { name: 'preis_entwurf', description: 'Was ein Entwurf kostet' },
    fr: { name: 'prix_design', description: 'Ce que coûte un design' },
    es: { name: 'precio_diseño', description: 'Lo que cuesta un diseño' },
    ja: { name: 'デザイン価格', description: 'デザイン1件のクレジット' },
  },
  'design.settings.price_variation': {
    de: { name: 'preis_variante', description: 'Was eine Variante kostet' },
    fr: { name: 'prix_variante', description: 'Ce que coûte une variante' },
    es: { name: 'precio_variación', description: 'Lo que cuesta una variación' },
    ja: { name: 'バリエーション価格', description: 'バリエーション1件のクレジット' },
  },
  'design.settings.price_edit': {
    de: { name: 'preis_änderung', description: 'Was jede Änderung kostet' },
    fr: { name: 'prix_modification', description: 'Ce que coûte chaque modification' },
    es: { name: 'precio_edición', description: 'Lo que cuesta cada edición' },
    ja: { name: '編集価格', description: '編集1回のクレジット' },
  },
  'design.settings.monthly_budget_usd': {
    de: { name: 'monatsbudget_usd', description: 'Geschätzte KI-Ausgaben pro Monat, in US-Dollar' },
    fr: { name: 'budget_mensuel_usd', description: "Dépense d'IA estimée autorisée par mois, en dollars US" },
    es: { name: 'presupuesto_mensual_usd', description: 'Gasto estimado en IA permitido al mes, en dólares' },
    ja: { name: '月間予算_usd', description: '1か月に許可するAI費用の見積もり（米ドル）' },
  },
  'design.settings.clear_budget': {
    de: { name: 'budget_zurücksetzen', description: 'Zum Standard-KI-Budget des Betreibers zurückkehren' },
    fr: {
      name: 'réinitialiser_budget',
      description: "Revenir au budget d'IA mensuel par défaut de l'opérateur",
    },
    es: { name: 'restablecer_presupuesto', description: 'Vuelve al presupuesto mensual de IA del operador' },
    ja: { name: '予算リセット', description: '運営者の既定のAI月間予算に戻す' },
  },
  'design.usage': {
    de: { name: 'nutzung', description: 'KI-Nutzung und geschätzte Kosten dieses Monats (Server verwalten)' },
    fr: {
      name: 'utilisation',
      description: "Utilisation de l'IA et dépense estimée ce mois-ci (Gérer le serveur)",
    },
    es: { name: 'uso', description: 'Uso de IA y gasto estimado de este mes (Gestionar servidor)' },
    ja: { name: '使用量', description: '今月のAI使用量と推定費用（サーバー管理）' },
  },
};

/** Discord's `name_localizations` / `description_localizations` for one part; none when it has no entry. */
export function localisationsOf(path: string): {
  name_localizations?: LocalizationMap;
  description_localizations?: LocalizationMap;
} {
  const translations = commandTranslations[path];
  if (!translations) return {};
  const names: LocalizationMap = {};
  const descriptions: LocalizationMap = {};
  for (const locale of commandLocales) {
    const { name, description } = translations[locale];
    for (const discordLocale of discordLocalesOf[locale]) {
      names[discordLocale] = name;
      if (description !== undefined) descriptions[discordLocale] = description;
    }
  }
  return {
    name_localizations: names,
    ...(Object.keys(descriptions).length > 0 ? { description_localizations: descriptions } : {}),
  };
}
